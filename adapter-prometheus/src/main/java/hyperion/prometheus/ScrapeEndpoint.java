package hyperion.prometheus;

import hyperion.admin.AdminEndpoint;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.nio.charset.StandardCharsets;

/**
 * The scrape endpoint ({@code metrics.path}) on the admin server: client_java's handler (text,
 * OpenMetrics, protobuf, gzip, {@code name[]} filters) over the adapter's registry; with {@code
 * metrics.enabled: false}, a 404 that says so.
 */
final class ScrapeEndpoint implements Provider<AdminEndpoint> {
  private final MetricsConfig config;
  private final PrometheusMetrics metrics;

  @Inject
  ScrapeEndpoint(MetricsConfig config, PrometheusMetrics metrics) {
    this.config = config;
    // Depending on the metrics (not only the registry) makes sure the registry is set up (JVM
    // metrics, bridge) before the first scrape, even if no application code declares a metric.
    this.metrics = metrics;
  }

  @Override
  public AdminEndpoint get() {
    if (!config.enabled()) {
      byte[] body = "metrics disabled (metrics.enabled = false)\n".getBytes(StandardCharsets.UTF_8);
      return new AdminEndpoint(config.path(), x -> {
        x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        x.sendResponseHeaders(404, x.getRequestMethod().equals("HEAD") ? -1 : body.length);
        if (!x.getRequestMethod().equals("HEAD")) {
          x.getResponseBody().write(body);
        }
      });
    }
    return new AdminEndpoint(config.path(), new MetricsHandler(PrometheusProperties.get(), metrics.registry()));
  }
}
