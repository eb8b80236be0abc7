package hyperion.prometheus;

import hyperion.Counter;
import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.Timer;
import hyperion.internal.NoopInstrument;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;

/**
 * The port's instruments over client_java's: each a {@link CardinalityGuard} of children that call
 * the client's data points directly (the hot path: one call, no allocation, never a throw).
 */
final class PromInstruments {

  private PromInstruments() {}

  static final class PromCounter extends CardinalityGuard<Counter.Child> implements Counter {
    private final io.prometheus.metrics.core.metrics.Counter counter;
    private final Counter.Child unlabelled;

    PromCounter(String name, io.prometheus.metrics.core.metrics.Counter counter, int labels, PrometheusMetrics o) {
      super(name, labels, o);
      this.counter = counter;
      this.unlabelled = labels == 0 ? new CounterChild(counter) : NoopInstrument.INSTANCE;
    }

    @Override
    Counter.Child create(String[] values) {
      return new CounterChild(counter.labelValues(values));
    }

    @Override
    Counter.Child noop() {
      return NoopInstrument.INSTANCE;
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

  static final class PromHistogram extends CardinalityGuard<Histogram.Child> implements Histogram {
    private final io.prometheus.metrics.core.metrics.Histogram histogram;
    private final Histogram.Child unlabelled;

    PromHistogram(String name, io.prometheus.metrics.core.metrics.Histogram histogram, int labels,
        PrometheusMetrics o) {
      super(name, labels, o);
      this.histogram = histogram;
      this.unlabelled = labels == 0 ? new HistogramChild(histogram) : NoopInstrument.INSTANCE;
    }

    @Override
    Histogram.Child create(String[] values) {
      return new HistogramChild(histogram.labelValues(values));
    }

    @Override
    Histogram.Child noop() {
      return NoopInstrument.INSTANCE;
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

  static final class PromGauge extends CardinalityGuard<Gauge.Child> implements Gauge {
    private final io.prometheus.metrics.core.metrics.Gauge gauge;
    private final Gauge.Child unlabelled;

    PromGauge(String name, io.prometheus.metrics.core.metrics.Gauge gauge, int labels, PrometheusMetrics o) {
      super(name, labels, o);
      this.gauge = gauge;
      this.unlabelled = labels == 0 ? new GaugeChild(gauge) : NoopInstrument.INSTANCE;
    }

    @Override
    Gauge.Child create(String[] values) {
      return new GaugeChild(gauge.labelValues(values));
    }

    @Override
    Gauge.Child noop() {
      return NoopInstrument.INSTANCE;
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
}
