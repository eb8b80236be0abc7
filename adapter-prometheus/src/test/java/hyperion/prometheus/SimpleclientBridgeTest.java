package hyperion.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.Test;

/**
 * Collectors registered with the legacy simpleclient (0.16.0) are exported through the bridge
 * (1.4.3, the last one published) on top of client_java 1.8.0.
 */
class SimpleclientBridgeTest {

  @Test
  void legacyCollectorsAreExported() {
    io.prometheus.client.Counter legacy = io.prometheus.client.Counter.build()
        .name("legacy_jobs_total").help("Jobs counted by a simpleclient collector").labelNames("queue")
        .register(); // CollectorRegistry.defaultRegistry, where legacy libraries register
    io.prometheus.client.Gauge temperature = io.prometheus.client.Gauge.build()
        .name("legacy_temperature_celsius").help("A legacy gauge").register();
    try {
      legacy.labels("mail").inc(3);
      temperature.set(21.5);
      try (Admin admin = Admin.start("collect_runtime: false")) {
        assertThat(admin.scrape())
            .contains("# TYPE legacy_jobs_total counter")
            .contains("legacy_jobs_total{queue=\"mail\"} 3.0")
            .contains("legacy_temperature_celsius 21.5");
        assertThat(admin.scrapeOpenMetrics()).contains("legacy_jobs_total{queue=\"mail\"} 3.0");
        legacy.labels("mail").inc(); // read at scrape time, not copied once
        assertThat(admin.scrape()).contains("legacy_jobs_total{queue=\"mail\"} 4.0");
      }
      try (Admin off = Admin.start("collect_runtime: false\nsimpleclient_bridge: false")) {
        assertThat(off.scrape()).doesNotContain("legacy_jobs_total");
      }
    } finally {
      CollectorRegistry.defaultRegistry.unregister(legacy);
      CollectorRegistry.defaultRegistry.unregister(temperature);
    }
  }
}
