package hyperion.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Hyperion;
import hyperion.config.Config;
import hyperion.prometheus.PrometheusModule;
import hyperion.testkit.RecordingMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/metrics.md's snippets run. */
class MetricsSnippetsTest {

  @Test
  void theStartSnippetLoadsTheNamedFileAndServesMetrics(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("application.yaml"), """
        service: { name: shop }
        tracing: { exporter: none }
        admin: { port: 0 }
        """);
    System.setProperty("hyperion.config", file.toString());
    try (Hyperion app = MetricsSnippets.start()) {
      assertThat(app.context().config().service().name()).isEqualTo("shop");
      MetricsSnippets.checkout(app.context().metrics());
      assertThat(app.injector().getInstance(PrometheusRegistry.class).scrape().stream()
          .map(m -> m.getMetadata().getName())).contains("shop_checkouts");
    } finally {
      System.clearProperty("hyperion.config");
    }
  }

  @Test
  void theCounterSnippetCounts() {
    RecordingMetrics metrics = new RecordingMetrics();
    MetricsSnippets.checkout(metrics);
    assertThat(metrics.value("shop_checkouts_total", "/users/{id}", "GET", "2xx")).isEqualTo(1.0);
  }

  @Test
  void theDefaultRegistrySnippetBindsIt() {
    try (Hyperion app = Hyperion.start(Config.fromYaml("admin: { port: 0 }\n"), new PrometheusModule(),
        new MetricsSnippets.DefaultRegistryModule())) {
      assertThat(app.injector().getInstance(PrometheusRegistry.class)).isSameAs(PrometheusRegistry.defaultRegistry);
    }
  }
}
