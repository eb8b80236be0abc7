package hyperion.micrometer;

import hyperion.Counter;
import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.Metrics;
import hyperion.internal.NoopInstrument;
import hyperion.internal.RateLimitedLog;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.cumulative.CumulativeFunctionCounter;
import io.micrometer.core.instrument.cumulative.CumulativeFunctionTimer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.internal.DefaultGauge;
import io.micrometer.core.instrument.internal.DefaultLongTaskTimer;
import io.micrometer.core.instrument.internal.DefaultMeter;
import java.lang.System.Logger;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * A Micrometer {@link MeterRegistry} that records into the {@link Metrics} port, so the meters of
 * libraries that report through Micrometer (Lettuce, HikariCP, Resilience4j, …) land in the same
 * registry as Hyperion's own, under Prometheus names ({@code hikaricp_connections_active}, {@code
 * lettuce_command_completion_seconds}), and the port's cardinality guard and exemplars apply to
 * them.
 *
 * <ul>
 *   <li>counters, timers and distribution summaries record into a port counter or histogram as
 *       they are used (timers in seconds; histogram buckets are the meter's service level
 *       objectives when it has some, else the port's defaults);
 *   <li>gauges, function counters, function timers, long task timers and custom meters are read
 *       by {@link #refresh()}, which {@link MicrometerModule} runs every {@link
 *       MicrometerModule#REFRESH_INTERVAL}: their values are at most that old;
 *   <li>a meter whose name the port refuses (another type or other tags under the same name) is
 *       kept in Micrometer but not exported, with a warning naming it.
 * </ul>
 *
 * <p>Function timers become two counters, {@code <name>_seconds_total} (time) and {@code
 * <name>_total} (calls); long task timers two gauges, {@code <name>_seconds} (running time) and
 * {@code <name>_active_tasks}. Timer maxima and client-side percentiles are not exported.
 */
public final class HyperionMeterRegistry extends MeterRegistry {

  private static final Logger LOG = System.getLogger(HyperionMeterRegistry.class.getName());
  private final Metrics metrics;
  private final RateLimitedLog log = new RateLimitedLog(LOG, 60_000);
  private final List<Runnable> polled = new CopyOnWriteArrayList<>();

  /** A registry recording into {@code metrics}, on the system clock. */
  public HyperionMeterRegistry(Metrics metrics) {
    this(metrics, Clock.SYSTEM);
  }

  /** A registry recording into {@code metrics}; {@code clock} times Micrometer's own statistics. */
  public HyperionMeterRegistry(Metrics metrics, Clock clock) {
    super(clock);
    this.metrics = metrics;
    config().namingConvention(new PrometheusNaming());
  }

  /**
   * Reads every gauge, function counter, function timer, long task timer and custom meter into the
   * port now. Never throws: a meter whose value function fails is skipped (logged).
   */
  public synchronized void refresh() {
    for (Runnable r : polled) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.warn("refresh", () -> "a Micrometer meter failed to report its value: " + e, e);
      }
    }
  }

  @Override
  protected <T> io.micrometer.core.instrument.Gauge newGauge(Meter.Id id, T obj, ToDoubleFunction<T> valueFunction) {
    DefaultGauge<T> gauge = new DefaultGauge<>(id, obj, valueFunction);
    Gauge.Child child = gauge(getConventionName(id), id);
    polled.add(() -> child.set(gauge.value()));
    return gauge;
  }

  @Override
  protected io.micrometer.core.instrument.Counter newCounter(Meter.Id id) {
    return new PortMeters.PortCounter(id, counter(getConventionName(id), id));
  }

  @Override
  protected Timer newTimer(Meter.Id id, DistributionStatisticConfig config, PauseDetector pauseDetector) {
    double[] slo = config.getServiceLevelObjectiveBoundaries();
    double[] buckets = null;
    if (slo != null && slo.length > 0) { // nanoseconds, for timers
      buckets = new double[slo.length];
      for (int i = 0; i < slo.length; i++) {
        buckets[i] = slo[i] / 1e9;
      }
    }
    return new PortMeters.PortTimer(id, clock, config, pauseDetector, histogram(getConventionName(id), id, buckets));
  }

  @Override
  protected DistributionSummary newDistributionSummary(Meter.Id id, DistributionStatisticConfig config,
      double scale) {
    double[] slo = config.getServiceLevelObjectiveBoundaries();
    return new PortMeters.PortSummary(id, clock, config, scale,
        histogram(getConventionName(id), id, slo != null && slo.length > 0 ? slo : null));
  }

  @Override
  protected LongTaskTimer newLongTaskTimer(Meter.Id id, DistributionStatisticConfig config) {
    DefaultLongTaskTimer timer = new DefaultLongTaskTimer(id, clock, TimeUnit.SECONDS, config, false);
    String name = getConventionName(id); // ends in _seconds
    Gauge.Child duration = gauge(name, id);
    Gauge.Child active = gauge(stripSeconds(name) + "_active_tasks", id);
    polled.add(() -> {
      duration.set(timer.duration(TimeUnit.SECONDS));
      active.set(timer.activeTasks());
    });
    return timer;
  }

  @Override
  protected <T> FunctionTimer newFunctionTimer(Meter.Id id, T obj, ToLongFunction<T> countFunction,
      ToDoubleFunction<T> totalTimeFunction, TimeUnit totalTimeFunctionUnit) {
    CumulativeFunctionTimer<T> timer = new CumulativeFunctionTimer<>(id, obj, countFunction, totalTimeFunction,
        totalTimeFunctionUnit, TimeUnit.SECONDS);
    String name = stripSeconds(getConventionName(id.withBaseUnit(null)));
    polled.add(deltas(counter(name + "_seconds_total", id), () -> timer.totalTime(TimeUnit.SECONDS)));
    polled.add(deltas(counter(name + "_total", id), timer::count));
    return timer;
  }

  @Override
  protected <T> FunctionCounter newFunctionCounter(Meter.Id id, T obj, ToDoubleFunction<T> countFunction) {
    CumulativeFunctionCounter<T> counter = new CumulativeFunctionCounter<>(id, obj, countFunction);
    polled.add(deltas(counter(getConventionName(id), id), counter::count));
    return counter;
  }

  @Override
  protected Meter newMeter(Meter.Id id, Meter.Type type, Iterable<Measurement> measurements) {
    String name = getConventionName(id);
    for (Measurement m : measurements) {
      String statistic = m.getStatistic().name().toLowerCase(Locale.ROOT);
      Gauge.Child child = gauge(statistic.equals("value") ? name : name + "_" + statistic, id);
      polled.add(() -> child.set(m.getValue()));
    }
    return new DefaultMeter(id, type, measurements);
  }

  @Override
  protected TimeUnit getBaseTimeUnit() {
    return TimeUnit.SECONDS;
  }

  @Override
  protected DistributionStatisticConfig defaultHistogramConfig() {
    return DistributionStatisticConfig.builder().expiry(java.time.Duration.ofMinutes(2)).bufferLength(3).build()
        .merge(DistributionStatisticConfig.DEFAULT);
  }

  /** Increments {@code child} by how much the cumulative {@code total} grew since the last read. */
  private static Runnable deltas(Counter.Child child, DoubleSupplier total) {
    double[] last = {0};
    return () -> {
      double now = total.getAsDouble();
      if (Double.isFinite(now) && now > last[0]) {
        child.inc(now - last[0]);
        last[0] = now;
      }
    };
  }

  private static String stripSeconds(String name) {
    return name.endsWith("_seconds") ? name.substring(0, name.length() - "_seconds".length()) : name;
  }

  private String help(Meter.Id id) {
    String d = id.getDescription();
    return d == null || d.isBlank() ? id.getName() : d;
  }

  private String[] labelNames(Meter.Id id) {
    return getConventionTags(id).stream().map(Tag::getKey).toArray(String[]::new);
  }

  private String[] labelValues(Meter.Id id) {
    return getConventionTags(id).stream().map(Tag::getValue).toArray(String[]::new);
  }

  private Counter.Child counter(String name, Meter.Id id) {
    return declare(name, () -> metrics.counter(name, help(id), labelNames(id)).labels(labelValues(id)));
  }

  private Gauge.Child gauge(String name, Meter.Id id) {
    return declare(name, () -> metrics.gauge(name, help(id), labelNames(id)).labels(labelValues(id)));
  }

  private Histogram.Child histogram(String name, Meter.Id id, double[] buckets) {
    return declare(name, () -> (buckets == null ? metrics.histogram(name, help(id), labelNames(id))
        : metrics.histogram(name, help(id), buckets, labelNames(id))).labels(labelValues(id)));
  }

  /** The child {@code declaration} gives, or (when the port refuses it) the no-op instrument. */
  @SuppressWarnings("unchecked")
  private <C> C declare(String name, Supplier<C> declaration) {
    try {
      return declaration.get();
    } catch (IllegalArgumentException e) {
      log.warn("declare " + name, () -> "Micrometer meter " + name + " is not exported: " + e.getMessage());
      return (C) NoopInstrument.INSTANCE; // it implements every child type
    }
  }
}
