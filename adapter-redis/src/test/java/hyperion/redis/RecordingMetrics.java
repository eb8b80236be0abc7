package hyperion.redis;

import hyperion.Counter;
import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.Metrics;
import hyperion.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.DoubleSupplier;

/** A {@link Metrics} that remembers counter values and supplier gauges, for assertions. */
final class RecordingMetrics implements Metrics {
  final Map<String, DoubleAdder> values = new ConcurrentHashMap<>();
  final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();

  /** The value of {@code name{labels}} (label values in declaration order), 0 when never touched. */
  double value(String name, String... labels) {
    DoubleAdder a = values.get(key(name, labels));
    return a == null ? 0 : a.sum();
  }

  double gauge(String name) {
    return gauges.get(name).getAsDouble();
  }

  private static String key(String name, String... labels) {
    return name + "{" + String.join(",", labels) + "}";
  }

  private DoubleAdder adder(String name, String... labels) {
    return values.computeIfAbsent(key(name, labels), k -> new DoubleAdder());
  }

  @Override
  public Counter counter(String name, String help, String... labelNames) {
    return new Counter() {
      @Override public void inc() { adder(name).add(1); }
      @Override public void inc(double amount) { adder(name).add(amount); }
      @Override public Child labels(String... v) {
        return new Child() {
          @Override public void inc() { adder(name, v).add(1); }
          @Override public void inc(double amount) { adder(name, v).add(amount); }
        };
      }
    };
  }

  @Override
  public Histogram histogram(String name, String help, String... labelNames) {
    return new Histogram() {
      @Override public void observe(double value) { adder(name + "_count").add(1); }
      @Override public Timer startTimer() { return () -> { adder(name + "_count").add(1); return 0; }; }
      @Override public Child labels(String... v) {
        return new Child() {
          @Override public void observe(double value) { adder(name + "_count", v).add(1); }
          @Override public Timer startTimer() { return () -> { adder(name + "_count", v).add(1); return 0; }; }
        };
      }
    };
  }

  @Override
  public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
    return histogram(name, help, labelNames);
  }

  @Override
  public Gauge gauge(String name, String help, String... labelNames) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void gauge(String name, String help, DoubleSupplier value) {
    gauges.putIfAbsent(name, value);
  }
}
