package hyperion.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Metrics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The scrape output passes {@code promtool check metrics} (Prometheus's own linter). */
class PromtoolTest {

  @Test
  void scrapeOutputPassesPromtoolCheckMetrics() throws IOException, InterruptedException {
    String promtool = Binaries.require("promtool").toString();
    try (Admin admin = Admin.start("collect_runtime: true")) {
      Metrics m = admin.metrics();
      m.counter("hyperion_http_server_requests_total", "HTTP requests handled", "route", "method", "status")
          .labels("/users/{id}", "GET", "200").inc(5);
      m.histogram("hyperion_http_server_request_duration_seconds", "HTTP request duration", "route", "method",
          "status").labels("/users/{id}", "GET", "200").observe(0.012);
      m.gauge("hyperion_http_server_active_requests", "HTTP requests in progress").set(2);
      m.counter("hyperion_cache_requests_total", "Cache lookups", "cache", "layer", "result")
          .labels("users", "l1", "hit").inc();
      m.gauge("hyperion_test_queue_size", "A callback gauge", () -> 3);
      // A value with characters that need escaping, and an overflowed metric.
      m.counter("hyperion_test_escaping_total", "Help with \\ backslash\nand newline", "v")
          .labels("quote \" backslash \\ newline \n").inc();

      String text = admin.scrape();
      Process p = new ProcessBuilder(promtool, "check", "metrics").redirectErrorStream(true).start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(text.getBytes(StandardCharsets.UTF_8));
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
      assertThat(p.exitValue()).as("promtool check metrics exit status; output:%n%s", out).isZero();
      assertThat(out).as("promtool findings").isBlank();
    }
  }
}
