package hyperion.prometheus;

import hyperion.Counter;
import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.Metrics;
import hyperion.Timer;
import hyperion.Tracer;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * {@link Metrics} over client_java 1.x. Adds what the client lacks: idempotent declaration with
 * conflict detection, cached children with a cardinality guard, and a hot path that never throws.
 */
@Singleton
final class PrometheusMetrics implements Metrics {

  private static final Logger LOG = System.getLogger(PrometheusMetrics.class.getName());
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** The counter that records label combinations folded into an overflow series. */
  static final String OVERFLOW_METRIC = "hyperion_metrics_series_overflow_total";
  /** The value of every label of an overflow series. */
  static final String OVERFLOW_VALUE = "__overflow__";

  private record Declaration(String type, List<String> labels, Object instrument) {}

  private final PrometheusRegistry registry;
  private final MetricsConfig config;
  private final String prefix;
  private final boolean exemplars;
  private final double[] defaultBuckets;
  private final Map<String, Declaration> declared = new ConcurrentHashMap<>();
  private final io.prometheus.metrics.core.metrics.Counter overflow;

  @Inject
  PrometheusMetrics(PrometheusRegistry registry, MetricsConfig config, Provider<Tracer> tracer) {
    this.registry = registry;
    this.config = config;
    this.prefix = config.namespace().isEmpty() ? "" : config.namespace() + "_";
    this.exemplars = config.enabled() && config.exemplars();
    this.defaultBuckets = config.bucketArray();
    this.overflow = io.prometheus.metrics.core.metrics.Counter.builder()
        .name(OVERFLOW_METRIC)
        .help("Label combinations folded into a metric's overflow series because it reached max_series_per_metric")
        .labelNames("metric")
        .withoutExemplars()
        .register(registry);
    if (exemplars) {
      TracerSpanContext.install(tracer);
    }
    if (config.enabled() && config.collectRuntime()) {
      JvmMetrics.builder().register(registry);
    }
    if (config.enabled() && config.simpleclientBridge()) {
      SimpleclientBridge.registerIfPresent(registry);
    }
  }

  /** The registry every instrument is registered with. */
  PrometheusRegistry registry() {
    return registry;
  }

  /** The label names {@code name} was declared with (as given to the port, without namespace). */
  List<String> labelNames(String name) {
    Declaration d = declared.get(name);
    return d == null ? null : d.labels;
  }

  @Override
  public Counter counter(String name, String help, String... labelNames) {
    return (Counter) declare("counter", name, labelNames, () -> {
      var b = io.prometheus.metrics.core.metrics.Counter.builder().name(prefix + name).labelNames(labelNames);
      help(b, help);
      if (!exemplars) {
        b.withoutExemplars();
      }
      return new PromCounter(name, b.register(registry), labelNames.length, this);
    });
  }

  @Override
  public Histogram histogram(String name, String help, String... labelNames) {
    return histogram(name, help, defaultBuckets, labelNames);
  }

  @Override
  public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
    if (buckets == null) {
      throw new IllegalArgumentException("histogram " + name + ": buckets must not be null");
    }
    for (int i = 0; i < buckets.length; i++) {
      if (Double.isNaN(buckets[i]) || (i > 0 && !(buckets[i] > buckets[i - 1]))) {
        throw new IllegalArgumentException("histogram " + name + ": buckets must be strictly increasing, got "
            + Arrays.toString(buckets));
      }
    }
    double[] bounds = buckets.clone();
    return (Histogram) declare("histogram", name, labelNames, () -> {
      var b = io.prometheus.metrics.core.metrics.Histogram.builder().name(prefix + name).labelNames(labelNames)
          .classicUpperBounds(bounds);
      if (!config.nativeHistograms()) {
        b.classicOnly();
      }
      help(b, help);
      if (!exemplars) {
        b.withoutExemplars();
      }
      return new PromHistogram(name, b.register(registry), labelNames.length, this);
    });
  }

  @Override
  public Gauge gauge(String name, String help, String... labelNames) {
    Object g = declare("gauge", name, labelNames, () -> {
      var b = io.prometheus.metrics.core.metrics.Gauge.builder().name(prefix + name).labelNames(labelNames);
      help(b, help);
      b.withoutExemplars();
      return new PromGauge(name, b.register(registry), labelNames.length, this);
    });
    if (!(g instanceof Gauge gauge)) {
      throw new IllegalArgumentException("metric " + name + " is already declared as a callback gauge; "
          + "it cannot also be set explicitly");
    }
    return gauge;
  }

  @Override
  public void gauge(String name, String help, DoubleSupplier value) {
    if (value == null) {
      throw new IllegalArgumentException("gauge " + name + ": the value supplier must not be null");
    }
    declare("gauge", name, new String[0], () -> {
      AtomicBoolean failureLogged = new AtomicBoolean();
      var b = GaugeWithCallback.builder().name(prefix + name).callback(cb -> {
        double v;
        try {
          v = value.getAsDouble();
        } catch (RuntimeException e) {
          // A broken supplier costs its own sample, never the scrape.
          if (failureLogged.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "gauge " + name + ": value supplier failed; sample skipped", e);
          }
          return;
        }
        cb.call(v);
      });
      help(b, help);
      return b.register(registry); // a declaration again is ignored: the first supplier stays
    });
  }

  private static void help(io.prometheus.metrics.core.metrics.MetricWithFixedMetadata.Builder<?, ?> b, String help) {
    if (help != null && !help.isBlank()) {
      b.help(help);
    }
  }

  private Object declare(String type, String name, String[] labelNames, java.util.function.Supplier<Object> create) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid metric name '" + name + "': must match " + NAME);
    }
    if (labelNames == null) {
      throw new IllegalArgumentException("metric " + name + ": label names must not be null");
    }
    for (String l : labelNames) {
      if (l == null || !LABEL.matcher(l).matches() || l.startsWith("__")) {
        throw new IllegalArgumentException("metric " + name + ": invalid label name '" + l + "': must match "
            + LABEL + " and not start with __");
      }
    }
    if (new HashSet<>(Arrays.asList(labelNames)).size() != labelNames.length) {
      throw new IllegalArgumentException("metric " + name + ": duplicate label names " + Arrays.toString(labelNames));
    }
    List<String> labels = List.of(labelNames);
    Declaration d = declared.get(name);
    if (d == null) {
      try {
        d = declared.computeIfAbsent(name, n -> new Declaration(type, labels, create.get()));
      } catch (IllegalArgumentException | IllegalStateException e) {
        // The client refused it (reserved label such as "le", or a name clash in the registry,
        // e.g. counter "x" against counter "x_total"): same contract as a conflicting declaration.
        throw new IllegalArgumentException("metric " + name + " cannot be registered: " + e.getMessage(), e);
      }
    }
    if (!d.type.equals(type) || !d.labels.equals(labels)) {
      throw new IllegalArgumentException("metric " + name + " is already declared as " + d.type + " with labels "
          + d.labels + "; cannot declare it as " + type + " with labels " + labels);
    }
    return d.instrument;
  }

  /** The overflow counter's series for {@code metric}. */
  CounterDataPoint overflowCounter(String metric) {
    return overflow.labelValues(metric);
  }

  int maxSeriesPerMetric() {
    return config.maxSeriesPerMetric();
  }

  @Override
  public String toString() {
    return "PrometheusMetrics[" + declared.size() + " metrics]";
  }

  // ---------------------------------------------------------------------------------------------
  // Instruments

  /**
   * The label-bound children of one metric, cached, with the cardinality guard. The lookup of an
   * existing child is one map read with no copy of the values; creating one is the slow path.
   */
  abstract static class Labelled<C> {
    final String name;
    final int labelCount;
    private final PrometheusMetrics owner;
    private final int maxChildren; // the overflow series takes the last slot of the cap
    private final Map<LabelKey, C> children = new ConcurrentHashMap<>();
    private final AtomicBoolean misuseLogged = new AtomicBoolean();
    private final AtomicBoolean overflowLogged = new AtomicBoolean();
    private volatile C overflowChild;
    private volatile CounterDataPoint overflowCount;

    Labelled(String name, int labelCount, PrometheusMetrics owner) {
      this.name = name;
      this.labelCount = labelCount;
      this.owner = owner;
      this.maxChildren = owner.maxSeriesPerMetric() - 1;
    }

    /** A child over the client's data point for these (sanitised) values. */
    abstract C create(String[] values);

    /** The child that does nothing, for misuse. */
    abstract C noop();

    final C child(String[] values) {
      if (values == null || values.length != labelCount) {
        misuse("labels() got " + (values == null ? "null" : values.length + " values") + ", expected "
            + labelCount + "; returning a child that records nothing");
        return noop();
      }
      C c = children.get(new LabelKey(values));
      return c != null ? c : slowChild(values);
    }

    private C slowChild(String[] raw) {
      String[] values = raw.clone(); // the caller may reuse its array
      for (int i = 0; i < values.length; i++) {
        if (values[i] == null) {
          values[i] = "";
        }
      }
      LabelKey key = new LabelKey(values);
      C c = children.get(key);
      if (c != null) {
        return c;
      }
      if (children.size() >= maxChildren) {
        return overflow();
      }
      synchronized (this) {
        c = children.get(key);
        if (c != null) {
          return c;
        }
        if (children.size() >= maxChildren) {
          return overflow();
        }
        c = create(values);
        children.put(key, c);
        return c;
      }
    }

    private C overflow() {
      CounterDataPoint count = overflowCount;
      if (count == null) {
        count = owner.overflowCounter(name); // the client caches it too; this saves its lookup
        overflowCount = count;
      }
      count.inc();
      if (overflowLogged.compareAndSet(false, true)) {
        LOG.log(Level.WARNING, "metric " + name + " reached max_series_per_metric (" + owner.maxSeriesPerMetric()
            + "); new label combinations are folded into the series with every label = \"" + OVERFLOW_VALUE
            + "\". Check for an unbounded label value (ids, URLs, error messages)");
      }
      C c = overflowChild;
      if (c == null) {
        synchronized (this) {
          c = overflowChild;
          if (c == null) {
            String[] values = new String[labelCount];
            Arrays.fill(values, OVERFLOW_VALUE);
            c = create(values);
            overflowChild = c;
          }
        }
      }
      return c;
    }

    /** Logs a misuse of this metric once; the hot path degrades instead of throwing. */
    final void misuse(String what) {
      if (misuseLogged.compareAndSet(false, true)) {
        LOG.log(Level.WARNING, "metric " + name + ": " + what + " (logged once per metric)");
      }
    }
  }

  /** A lookup key over an array of label values, compared by content. */
  private static final class LabelKey {
    private final String[] values;
    private final int hash;

    LabelKey(String[] values) {
      this.values = values;
      this.hash = Arrays.hashCode(values);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof LabelKey k && k.hash == hash && Arrays.equals(k.values, values);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  static final class PromCounter extends Labelled<Counter.Child> implements Counter {
    private final io.prometheus.metrics.core.metrics.Counter counter;
    private final Counter.Child unlabelled;

    PromCounter(String name, io.prometheus.metrics.core.metrics.Counter counter, int labels, PrometheusMetrics o) {
      super(name, labels, o);
      this.counter = counter;
      this.unlabelled = labels == 0 ? new CounterChild(counter) : Noop.INSTANCE;
    }

    @Override
    Counter.Child create(String[] values) {
      return new CounterChild(counter.labelValues(values));
    }

    @Override
    Counter.Child noop() {
      return Noop.INSTANCE;
    }

    @Override
    public void inc() {
      inc(1);
    }

    @Override
    public void inc(double amount) {
      if (labelCount != 0) {
        misuse("inc() without labels on a labelled counter is ignored");
      }
      unlabelled.inc(amount);
    }

    @Override
    public Counter.Child labels(String... labelValues) {
      return labelCount == 0 && labelValues != null && labelValues.length == 0 ? unlabelled : child(labelValues);
    }
  }

  static final class PromHistogram extends Labelled<Histogram.Child> implements Histogram {
    private final io.prometheus.metrics.core.metrics.Histogram histogram;
    private final Histogram.Child unlabelled;

    PromHistogram(String name, io.prometheus.metrics.core.metrics.Histogram histogram, int labels,
        PrometheusMetrics o) {
      super(name, labels, o);
      this.histogram = histogram;
      this.unlabelled = labels == 0 ? new HistogramChild(histogram) : Noop.INSTANCE;
    }

    @Override
    Histogram.Child create(String[] values) {
      return new HistogramChild(histogram.labelValues(values));
    }

    @Override
    Histogram.Child noop() {
      return Noop.INSTANCE;
    }

    @Override
    public void observe(double value) {
      if (labelCount != 0) {
        misuse("observe() without labels on a labelled histogram is ignored");
      }
      unlabelled.observe(value);
    }

    @Override
    public Timer startTimer() {
      return unlabelled.startTimer();
    }

    @Override
    public Histogram.Child labels(String... labelValues) {
      return labelCount == 0 && labelValues != null && labelValues.length == 0 ? unlabelled : child(labelValues);
    }
  }

  static final class PromGauge extends Labelled<Gauge.Child> implements Gauge {
    private final io.prometheus.metrics.core.metrics.Gauge gauge;
    private final Gauge.Child unlabelled;

    PromGauge(String name, io.prometheus.metrics.core.metrics.Gauge gauge, int labels, PrometheusMetrics o) {
      super(name, labels, o);
      this.gauge = gauge;
      this.unlabelled = labels == 0 ? new GaugeChild(gauge) : Noop.INSTANCE;
    }

    @Override
    Gauge.Child create(String[] values) {
      return new GaugeChild(gauge.labelValues(values));
    }

    @Override
    Gauge.Child noop() {
      return Noop.INSTANCE;
    }

    private Gauge.Child unlabelled() {
      if (labelCount != 0) {
        misuse("set/inc/dec without labels on a labelled gauge is ignored");
      }
      return unlabelled;
    }

    @Override
    public void set(double value) {
      unlabelled().set(value);
    }

    @Override
    public void inc() {
      unlabelled().add(1);
    }

    @Override
    public void dec() {
      unlabelled().add(-1);
    }

    @Override
    public Gauge.Child labels(String... labelValues) {
      return labelCount == 0 && labelValues != null && labelValues.length == 0 ? unlabelled : child(labelValues);
    }
  }

  /** Hot path: one call into the client's striped adder; negative and NaN amounts are ignored. */
  private record CounterChild(CounterDataPoint point) implements Counter.Child {
    @Override
    public void inc() {
      point.inc();
    }

    @Override
    public void inc(double amount) {
      if (amount > 0) { // the client throws on negative amounts; the port ignores them
        point.inc(amount);
      }
    }
  }

  private record HistogramChild(DistributionDataPoint point) implements Histogram.Child {
    @Override
    public void observe(double value) {
      if (!Double.isNaN(value)) {
        point.observe(value);
      }
    }

    @Override
    public Timer startTimer() {
      return new SecondsTimer(point);
    }
  }

  private record GaugeChild(GaugeDataPoint point) implements Gauge.Child {
    @Override
    public void set(double value) {
      point.set(value);
    }

    @Override
    public void add(double amount) {
      point.inc(amount);
    }
  }

  /** Measures with {@link System#nanoTime()}; records once. Meant for the thread that started it. */
  private static final class SecondsTimer implements Timer {
    private final DistributionDataPoint point;
    private final long start = System.nanoTime();
    private double recorded = Double.NaN;

    SecondsTimer(DistributionDataPoint point) {
      this.point = point;
    }

    @Override
    public double observeDuration() {
      if (Double.isNaN(recorded)) {
        recorded = (System.nanoTime() - start) / 1e9;
        point.observe(recorded);
      }
      return recorded;
    }
  }

  /** The child handed out on misuse: records nothing, never throws. */
  private static final class Noop implements Counter.Child, Histogram.Child, Gauge.Child, Timer {
    static final Noop INSTANCE = new Noop();

    @Override public void inc() {}
    @Override public void inc(double amount) {}
    @Override public void observe(double value) {}
    @Override public Timer startTimer() { return this; }
    @Override public double observeDuration() { return 0; }
    @Override public void set(double value) {}
    @Override public void add(double amount) {}
  }
}
