package hyperion.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import hyperion.Counter;
import hyperion.HyperionModule;
import hyperion.Metrics;
import hyperion.config.Config;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cardinality guard: a bad label cannot grow a metric past max_series_per_metric. */
class CardinalityTest {

  @Test
  void distinctLabelValuesBeyondTheCapFoldIntoOneCountedOverflowSeries() {
    Injector injector = Guice.createInjector(
        new HyperionModule(Config.fromYaml("admin: {port: 0}\nmetrics: {collect_runtime: false}")), new PrometheusModule());
    Metrics metrics = injector.getInstance(Metrics.class);
    PrometheusRegistry registry = injector.getInstance(PrometheusRegistry.class);
    int cap = MetricsConfig.DEFAULTS.maxSeriesPerMetric();

    Counter byUser = metrics.counter("hyperion_test_requests_by_user_total", "A label that should not exist", "user_id",
        "route");
    int distinct = 100_000;
    for (int i = 0; i < distinct; i++) {
      byUser.labels("user-" + i, "/orders").inc();
    }
    byUser.labels("user-0", "/orders").inc(); // an early combination still has its own series

    String name = "hyperion_test_requests_by_user_total";
    List<String> labels = List.of("user_id", "route");
    assertThat(Registries.seriesCount(registry, name)).isEqualTo(cap);
    int kept = cap - 1;
    assertThat(Registries.counter(registry, name, labels, "user-0", "/orders")).hasValue(2);
    assertThat(Registries.counter(registry, name, labels, "user-" + (kept - 1), "/orders")).hasValue(1);
    assertThat(Registries.counter(registry, name, labels, "user-" + kept, "/orders")).isEmpty();
    assertThat(Registries.counter(registry, name, labels, PrometheusMetrics.OVERFLOW_VALUE,
        PrometheusMetrics.OVERFLOW_VALUE)).hasValue(distinct - kept);
    assertThat(Registries.counter(registry, PrometheusMetrics.OVERFLOW_METRIC, List.of("metric"), name))
        .hasValue(distinct - kept);

    // Another metric has its own budget.
    Counter other = metrics.counter("hyperion_test_other_total", "Other", "k");
    other.labels("a").inc();
    assertThat(Registries.seriesCount(registry, "hyperion_test_other_total")).isEqualTo(1);
  }

  @Test
  void aSmallCapIsHonouredForEveryType() {
    Injector injector = Guice.createInjector(new HyperionModule(
        Config.fromYaml("admin: {port: 0}\nmetrics: {collect_runtime: false, max_series_per_metric: 3}")),
        new PrometheusModule());
    Metrics metrics = injector.getInstance(Metrics.class);
    PrometheusRegistry registry = injector.getInstance(PrometheusRegistry.class);
    for (int i = 0; i < 10; i++) {
      metrics.histogram("hyperion_test_capped_seconds", "h", "k").labels("v" + i).observe(1);
      metrics.gauge("hyperion_test_capped_gauge", "g", "k").labels("v" + i).set(i);
    }
    assertThat(Registries.seriesCount(registry, "hyperion_test_capped_seconds")).isEqualTo(3);
    assertThat(Registries.seriesCount(registry, "hyperion_test_capped_gauge")).isEqualTo(3);
    assertThat(Registries.histogramCount(registry, "hyperion_test_capped_seconds", List.of("k"),
        PrometheusMetrics.OVERFLOW_VALUE)).hasValue(8);
    assertThat(Registries.counter(registry, PrometheusMetrics.OVERFLOW_METRIC, List.of("metric"),
        "hyperion_test_capped_gauge")).hasValue(8);
  }
}
