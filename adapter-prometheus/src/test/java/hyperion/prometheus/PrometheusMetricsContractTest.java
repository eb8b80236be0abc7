package hyperion.prometheus;

import com.google.inject.Guice;
import com.google.inject.Injector;
import hyperion.HyperionModule;
import hyperion.Metrics;
import hyperion.config.Config;
import hyperion.testkit.MetricsContract;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.OptionalDouble;

/** The Metrics contract against the Prometheus adapter, read back from its registry. */
class PrometheusMetricsContractTest extends MetricsContract {

  // No admin server, no JVM metrics: the kit only needs the instruments.
  private final Injector injector = Guice.createInjector(
      new HyperionModule(Config.fromYaml("admin: {port: 0}\nmetrics: {collect_runtime: false}")), new PrometheusModule());
  private final PrometheusMetrics metrics = (PrometheusMetrics) injector.getInstance(Metrics.class);
  private final PrometheusRegistry registry = injector.getInstance(PrometheusRegistry.class);

  @Override
  protected Metrics metrics() {
    return metrics;
  }

  private List<String> labels(String name) {
    List<String> l = metrics.labelNames(name);
    return l == null ? List.of() : l;
  }

  @Override
  protected OptionalDouble counterValue(String name, String... labelValues) {
    return Registries.counter(registry, name, labels(name), labelValues);
  }

  @Override
  protected OptionalDouble histogramCount(String name, String... labelValues) {
    return Registries.histogramCount(registry, name, labels(name), labelValues);
  }

  @Override
  protected OptionalDouble histogramSum(String name, String... labelValues) {
    return Registries.histogramSum(registry, name, labels(name), labelValues);
  }

  @Override
  protected OptionalDouble gaugeValue(String name, String... labelValues) {
    return Registries.gauge(registry, name, labels(name), labelValues);
  }
}
