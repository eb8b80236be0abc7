package hyperion;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * The default {@link Metrics}: instruments that record nothing. It still keeps the declarations,
 * so a conflicting declaration fails here exactly as it would with a real backend.
 */
final class NoopMetrics implements Metrics {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private record Declaration(String type, List<String> labels, Object instrument) {}

  private final Map<String, Declaration> declared = new ConcurrentHashMap<>();

  @Override
  public Counter counter(String name, String help, String... labelNames) {
    return (Counter) declare("counter", name, labelNames, NOOP);
  }

  @Override
  public Histogram histogram(String name, String help, String... labelNames) {
    return (Histogram) declare("histogram", name, labelNames, NOOP);
  }

  @Override
  public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
    for (int i = 1; i < buckets.length; i++) {
      if (!(buckets[i] > buckets[i - 1])) {
        throw new IllegalArgumentException("histogram " + name + ": buckets must be strictly increasing, got "
            + Arrays.toString(buckets));
      }
    }
    return histogram(name, help, labelNames);
  }

  @Override
  public Gauge gauge(String name, String help, String... labelNames) {
    return (Gauge) declare("gauge", name, labelNames, NOOP);
  }

  @Override
  public void gauge(String name, String help, DoubleSupplier value) {
    declare("gauge", name, new String[0], NOOP);
  }

  private Object declare(String type, String name, String[] labelNames, Object instrument) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid metric name '" + name + "': must match " + NAME);
    }
    for (String l : labelNames) {
      if (l == null || !LABEL.matcher(l).matches() || l.startsWith("__")) {
        throw new IllegalArgumentException("metric " + name + ": invalid label name '" + l + "'");
      }
    }
    List<String> labels = List.of(labelNames);
    Declaration d = declared.computeIfAbsent(name, n -> new Declaration(type, labels, instrument));
    if (!d.type.equals(type) || !d.labels.equals(labels)) {
      throw new IllegalArgumentException("metric " + name + " is already declared as " + d.type + " with labels "
          + d.labels + "; cannot declare it as " + type + " with labels " + labels);
    }
    return d.instrument;
  }

  @Override
  public String toString() {
    return "NoopMetrics";
  }

  /** One stateless object serves as every no-op instrument, child and timer. */
  private static final Noop NOOP = new Noop();

  private static final class Noop implements Counter, Counter.Child, Histogram, Histogram.Child, Gauge, Gauge.Child,
      Timer {
    @Override public void inc() {}
    @Override public void inc(double amount) {}
    @Override public void dec() {}
    @Override public void set(double value) {}
    @Override public void add(double amount) {}
    @Override public void observe(double value) {}
    @Override public Timer startTimer() { return this; }
    @Override public double observeDuration() { return 0; }
    @Override public Noop labels(String... labelValues) { return this; }
  }
}
