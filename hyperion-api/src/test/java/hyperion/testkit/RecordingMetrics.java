package hyperion.testkit;

import hyperion.Counter;
import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.Metrics;
import hyperion.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * An in-memory {@link Metrics} for tests: keeps every value so a test can read back exactly what
 * the code under test recorded. Declaration rules match the real backends (same declaration
 * returns the same instrument; a conflicting one throws).
 */
public final class RecordingMetrics implements Metrics {

  private record Key(String name, List<String> labels) {}

  private final Map<String, Object> instruments = new ConcurrentHashMap<>();
  private final Map<String, String> signatures = new ConcurrentHashMap<>();
  private final Map<Key, DoubleAdder> values = new ConcurrentHashMap<>();
  private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();
  private final Map<String, DoubleSupplier> callbacks = new ConcurrentHashMap<>();

  private <T> T declare(String type, String name, String[] labelNames, java.util.function.Supplier<T> create) {
    String signature = type + List.of(labelNames);
    String existing = signatures.putIfAbsent(name, signature);
    if (existing != null && !existing.equals(signature)) {
      throw new IllegalArgumentException("metric " + name + " is already declared as " + existing
          + "; cannot declare it as " + signature);
    }
    @SuppressWarnings("unchecked")
    T t = (T) instruments.computeIfAbsent(name, n -> create.get());
    return t;
  }

  private DoubleAdder valueCell(String name, String... labels) {
    return values.computeIfAbsent(new Key(name, List.of(labels)), k -> new DoubleAdder());
  }

  private LongAdder countCell(String name, String... labels) {
    return counts.computeIfAbsent(new Key(name, List.of(labels)), k -> new LongAdder());
  }

  /** The counter's value (or a gauge's) for these label values; 0 when never touched. */
  public double value(String name, String... labelValues) {
    DoubleSupplier cb = callbacks.get(name);
    if (cb != null && labelValues.length == 0) {
      return cb.getAsDouble();
    }
    DoubleAdder a = values.get(new Key(name, List.of(labelValues)));
    return a == null ? 0 : a.sum();
  }

  /** How many observations a histogram received for these label values. */
  public long count(String name, String... labelValues) {
    LongAdder a = counts.get(new Key(name, List.of(labelValues)));
    return a == null ? 0 : a.sum();
  }

  /** The sum of a histogram's observations for these label values. */
  public double sum(String name, String... labelValues) {
    return value(name, labelValues);
  }

  /** Whether {@code name} was declared. */
  public boolean declared(String name) {
    return signatures.containsKey(name);
  }

  @Override
  public Counter counter(String name, String help, String... labelNames) {
    return declare("counter", name, labelNames, () -> new Counter() {
      private final Map<List<String>, Counter.Child> children = new ConcurrentHashMap<>();
      @Override public void inc() { labels().inc(); }
      @Override public void inc(double amount) { labels().inc(amount); }
      @Override public Counter.Child labels(String... v) {
        return children.computeIfAbsent(List.of(v), k -> {
          DoubleAdder a = valueCell(name, v);
          return new Counter.Child() {
            @Override public void inc() { a.add(1); }
            @Override public void inc(double amount) { if (amount > 0) { a.add(amount); } }
          };
        });
      }
    });
  }

  @Override
  public Histogram histogram(String name, String help, String... labelNames) {
    return declare("histogram", name, labelNames, () -> new Histogram() {
      private final Map<List<String>, Histogram.Child> children = new ConcurrentHashMap<>();
      @Override public void observe(double v) { labels().observe(v); }
      @Override public Timer startTimer() { return labels().startTimer(); }
      @Override public Histogram.Child labels(String... v) {
        return children.computeIfAbsent(List.of(v), k -> {
          DoubleAdder sum = valueCell(name, v);
          LongAdder n = countCell(name, v);
          return new Histogram.Child() {
            @Override public void observe(double x) {
              sum.add(x);
              n.increment();
            }

            @Override public Timer startTimer() {
              long t0 = System.nanoTime();
              return new Timer() {
                private boolean done;
                @Override public synchronized double observeDuration() {
                  double s = (System.nanoTime() - t0) / 1e9;
                  if (!done) {
                    done = true;
                    observe(s);
                  }
                  return s;
                }
              };
            }
          };
        });
      }
    });
  }

  @Override
  public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
    return histogram(name, help, labelNames);
  }

  @Override
  public Gauge gauge(String name, String help, String... labelNames) {
    return declare("gauge", name, labelNames, () -> new Gauge() {
      private final Map<List<String>, Gauge.Child> children = new ConcurrentHashMap<>();
      @Override public void set(double v) { labels().set(v); }
      @Override public void inc() { labels().inc(); }
      @Override public void dec() { labels().dec(); }
      @Override public Gauge.Child labels(String... v) {
        return children.computeIfAbsent(List.of(v), k -> {
          DoubleAdder a = valueCell(name, v);
          return new Gauge.Child() {
            @Override public synchronized void set(double x) {
              a.reset();
              a.add(x);
            }

            @Override public void add(double amount) { a.add(amount); }
          };
        });
      }
    });
  }

  @Override
  public void gauge(String name, String help, DoubleSupplier value) {
    declare("gauge", name, new String[0], () -> Boolean.TRUE);
    callbacks.putIfAbsent(name, value);
  }
}
