package hyperion;

import com.google.inject.Guice;
import hyperion.testkit.MetricsContract;
import java.util.OptionalDouble;

/** The no-op {@link Metrics} keeps the declaration rules and records nothing. */
class NoopMetricsContractTest extends MetricsContract {

  private final Metrics metrics = Guice.createInjector(new HyperionModule()).getInstance(Metrics.class);

  @Override
  protected Metrics metrics() {
    return metrics;
  }

  @Override
  protected OptionalDouble counterValue(String name, String... labelValues) {
    return OptionalDouble.empty();
  }

  @Override
  protected OptionalDouble histogramCount(String name, String... labelValues) {
    return OptionalDouble.empty();
  }

  @Override
  protected OptionalDouble histogramSum(String name, String... labelValues) {
    return OptionalDouble.empty();
  }

  @Override
  protected OptionalDouble gaugeValue(String name, String... labelValues) {
    return OptionalDouble.empty();
  }
}
