package hyperion.internal;

import hyperion.Counter;
import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.Timer;

/**
 * The one instrument that records nothing and never throws: every no-op counter, histogram,
 * gauge, child and timer of the framework (the default {@code Metrics}, misused or refused
 * instruments of the adapters).
 */
public final class NoopInstrument implements Counter, Counter.Child, Histogram, Histogram.Child, Gauge, Gauge.Child,
    Timer {

  /** The instance; it is stateless. */
  public static final NoopInstrument INSTANCE = new NoopInstrument();

  private NoopInstrument() {}

  @Override public void inc() {}
  @Override public void inc(double amount) {}
  @Override public void dec() {}
  @Override public void set(double value) {}
  @Override public void add(double amount) {}
  @Override public void observe(double value) {}
  @Override public Timer startTimer() { return this; }
  @Override public double observeDuration() { return 0; }
  @Override public NoopInstrument labels(String... labelValues) { return this; }
}
