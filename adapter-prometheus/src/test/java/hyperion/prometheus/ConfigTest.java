package hyperion.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import hyperion.HyperionModule;
import hyperion.Metrics;
import hyperion.config.Config;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

/** The metrics section and the module's wiring. */
class ConfigTest {

  private static Injector injector(String yaml, Stage stage) {
    return Guice.createInjector(stage, new HyperionModule(Config.fromYaml(yaml)), new PrometheusModule());
  }

  @Test
  void defaults() {
    MetricsConfig d = MetricsConfig.DEFAULTS;
    assertThat(d.enabled()).isTrue();
    assertThat(d.path()).isEqualTo("/metrics");
    assertThat(d.namespace()).isEmpty();
    assertThat(d.maxSeriesPerMetric()).isEqualTo(2000);
    assertThat(d.histogramBuckets()).containsExactly(.005, .01, .025, .05, .1, .25, .5, 1.0, 2.5, 5.0, 10.0);
    assertThat(injector("", Stage.DEVELOPMENT).getInstance(MetricsConfig.class)).isEqualTo(d);
  }

  @Test
  void everyKeyBinds() {
    MetricsConfig c = injector("""
        metrics:
          enabled: true
          path: /prom
          namespace: shop
          collect_runtime: false
          max_series_per_metric: 50
          histogram_buckets: [0.1, 1, 10]
          native_histograms: true
          exemplars: false
          simpleclient_bridge: false
        """, Stage.DEVELOPMENT).getInstance(MetricsConfig.class);
    assertThat(c).isEqualTo(new MetricsConfig(true, "/prom", "shop", false, 50,
        java.util.List.of(0.1, 1.0, 10.0), true, false, false));
  }

  @Test
  void badValuesFailInjectorCreationNamingTheKey() {
    assertFails("metrics: {max_series_per_metric: 0}", "metrics.max_series_per_metric", "'0'");
    assertFails("metrics: {path: /cache/hotkeys}", "metrics.path", "/cache/hotkeys");
    assertFails("metrics: {port: 9464}", "metrics.port", "unknown key"); // the server's address is admin.*
    assertFails("metrics: {path: metrics}", "metrics.path", "'metrics'");
    assertFails("metrics: {path: /ready}", "metrics.path", "'/ready'");
    assertFails("metrics: {path: /health/live}", "metrics.path", "'/health/live'");
    assertFails("metrics: {namespace: my-app}", "metrics.namespace", "'my-app'");
    assertFails("metrics: {histogram_buckets: [1, 0.5]}", "metrics.histogram_buckets", "[1.0, 0.5]");
    assertFails("metrics: {prot: 9000}", "metrics.prot", "unknown key");
  }

  @Test
  void badValuesFailInDevelopmentStageToo() {
    assertThatThrownBy(() -> injector("admin: {port: -1}", Stage.DEVELOPMENT))
        .isInstanceOf(CreationException.class).hasMessageContaining("admin.port");
  }

  private static void assertFails(String yaml, String key, String detail) {
    assertThatThrownBy(() -> injector(yaml, Stage.PRODUCTION))
        .isInstanceOf(CreationException.class)
        .hasMessageContaining("invalid configuration")
        .hasMessageContaining(key)
        .hasMessageContaining(detail);
  }

  @Test
  void installingTheModuleTwiceIsHarmless() {
    assertThat(new PrometheusModule()).isEqualTo(new PrometheusModule()).hasSameHashCodeAs(new PrometheusModule());
    Injector i = Guice.createInjector(Stage.PRODUCTION,
        new HyperionModule(Config.fromYaml("admin: {port: 0}\nmetrics: {collect_runtime: false}")),
        new PrometheusModule(), new PrometheusModule());
    assertThat(i.getInstance(Metrics.class)).isInstanceOf(PrometheusMetrics.class)
        .isSameAs(i.getInstance(Metrics.class));
  }

  @Test
  void theRegistryIsBoundForApplicationCollectors() {
    Injector i = injector("admin: {port: 0}\nmetrics: {collect_runtime: false}", Stage.PRODUCTION);
    PrometheusRegistry registry = i.getInstance(PrometheusRegistry.class);
    assertThat(registry).isSameAs(((PrometheusMetrics) i.getInstance(Metrics.class)).registry())
        .isNotSameAs(PrometheusRegistry.defaultRegistry);
  }
}
