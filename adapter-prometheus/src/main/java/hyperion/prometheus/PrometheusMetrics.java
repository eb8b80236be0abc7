package hyperion.prometheus;

import hyperion.Counter;
import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.Metrics;
import hyperion.Tracer;
import hyperion.internal.MetricDeclarations;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;

/**
 * {@link Metrics} over client_java 1.x: registers each declared metric with the client (under the
 * port's shared declaration rules, {@link MetricDeclarations}) and hands out its instrument ({@link
 * PromInstruments}: cached children behind a {@link CardinalityGuard}, a hot path that never
 * throws); sets up the registry (JVM metrics, the simpleclient bridge, the exemplar hook).
 */
@Singleton
final class PrometheusMetrics implements Metrics {

  private static final Logger LOG = System.getLogger(PrometheusMetrics.class.getName());

  /** The counter that records label combinations folded into an overflow series. */
  static final String OVERFLOW_METRIC = "hyperion_metrics_series_overflow_total";
  /** The value of every label of an overflow series. */
  static final String OVERFLOW_VALUE = "__overflow__";

  private final PrometheusRegistry registry;
  private final MetricsConfig config;
  private final String prefix;
  private final boolean exemplars;
  private final double[] defaultBuckets;
  private final MetricDeclarations declared = new MetricDeclarations();
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
    return declared.labelNames(name);
  }

  @Override
  public Counter counter(String name, String help, String... labelNames) {
    return (Counter) declared.declare("counter", name, labelNames, () -> {
      var b = io.prometheus.metrics.core.metrics.Counter.builder().name(prefix + name).labelNames(labelNames);
      help(b, help);
      if (!exemplars) {
        b.withoutExemplars();
      }
      return new PromInstruments.PromCounter(name, b.register(registry), labelNames.length, this);
    });
  }

  @Override
  public Histogram histogram(String name, String help, String... labelNames) {
    return histogram(name, help, defaultBuckets, labelNames);
  }

  @Override
  public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
    double[] bounds = MetricDeclarations.checkBuckets(name, buckets);
    return (Histogram) declared.declare("histogram", name, labelNames, () -> {
      var b = io.prometheus.metrics.core.metrics.Histogram.builder().name(prefix + name).labelNames(labelNames)
          .classicUpperBounds(bounds);
      if (!config.nativeHistograms()) {
        b.classicOnly();
      }
      help(b, help);
      if (!exemplars) {
        b.withoutExemplars();
      }
      return new PromInstruments.PromHistogram(name, b.register(registry), labelNames.length, this);
    });
  }

  @Override
  public Gauge gauge(String name, String help, String... labelNames) {
    Object g = declared.declare("gauge", name, labelNames, () -> {
      var b = io.prometheus.metrics.core.metrics.Gauge.builder().name(prefix + name).labelNames(labelNames);
      help(b, help);
      b.withoutExemplars();
      return new PromInstruments.PromGauge(name, b.register(registry), labelNames.length, this);
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
    declared.declare("gauge", name, new String[0], () -> {
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
}
