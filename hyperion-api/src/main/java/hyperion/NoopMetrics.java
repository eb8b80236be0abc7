package hyperion;

import hyperion.internal.MetricDeclarations;
import hyperion.internal.NoopInstrument;
import java.util.function.DoubleSupplier;

/**
 * The default {@link Metrics}: instruments that record nothing. It still keeps the declarations
 * (with the rules every implementation shares), so a conflicting declaration fails here exactly as
 * it would with a real backend.
 */
final class NoopMetrics implements Metrics {

  private final MetricDeclarations declared = new MetricDeclarations();

  @Override
  public Counter counter(String name, String help, String... labelNames) {
    return (Counter) declared.declare("counter", name, labelNames, () -> NoopInstrument.INSTANCE);
  }

  @Override
  public Histogram histogram(String name, String help, String... labelNames) {
    return (Histogram) declared.declare("histogram", name, labelNames, () -> NoopInstrument.INSTANCE);
  }

  @Override
  public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
    MetricDeclarations.checkBuckets(name, buckets);
    return histogram(name, help, labelNames);
  }

  @Override
  public Gauge gauge(String name, String help, String... labelNames) {
    return (Gauge) declared.declare("gauge", name, labelNames, () -> NoopInstrument.INSTANCE);
  }

  @Override
  public void gauge(String name, String help, DoubleSupplier value) {
    declared.declare("gauge", name, new String[0], () -> NoopInstrument.INSTANCE);
  }

  @Override
  public String toString() {
    return "NoopMetrics";
  }
}
