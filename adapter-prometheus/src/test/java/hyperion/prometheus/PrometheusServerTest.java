package hyperion.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hyperion.testkit.LoopbackPorts;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server, started on a free loopback port with a generated configuration,
 * scrapes the admin endpoint; a query through its HTTP API returns the value the test recorded.
 */
class PrometheusServerTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  @Timeout(120)
  void prometheusScrapesTheAdminEndpointAndReturnsTheRecordedValue() throws Exception {
    String prometheus = Binaries.require("prometheus").toString();
    try (Admin admin = Admin.start("collect_runtime: true")) {
      admin.metrics().counter("hyperion_it_recorded_total", "Recorded by the integration test", "source")
          .labels("junit").inc(42);
      admin.metrics().histogram("hyperion_it_latency_seconds", "Latency", "route").labels("/a").observe(0.2);

      int promPort = LoopbackPorts.free();
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, """
          global:
            scrape_interval: 1s
            scrape_timeout: 1s
            evaluation_interval: 1s
          scrape_configs:
            - job_name: hyperion
              metrics_path: /metrics
              static_configs:
                - targets: ['127.0.0.1:%d']
          """.formatted(admin.port));
      Path log = dir.resolve("prometheus.log");
      Process server = new ProcessBuilder(prometheus,
          "--config.file=" + config,
          "--storage.tsdb.path=" + dir.resolve("data"),
          "--web.listen-address=127.0.0.1:" + promPort)
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        JsonNode result = awaitResult(promPort, "hyperion_it_recorded_total{source=\"junit\"}", server, log);
        assertThat(result.get(0).get("metric").get("job").asText()).isEqualTo("hyperion");
        assertThat(result.get(0).get("value").get(1).asDouble()).isEqualTo(42.0);

        JsonNode count = awaitResult(promPort, "hyperion_it_latency_seconds_count{route=\"/a\"}", server, log);
        assertThat(count.get(0).get("value").get(1).asDouble()).isEqualTo(1.0);
        JsonNode up = awaitResult(promPort, "up{job=\"hyperion\"}", server, log);
        assertThat(up.get(0).get("value").get(1).asDouble()).isEqualTo(1.0);
      } finally {
        server.destroy();
        if (!server.waitFor(15, TimeUnit.SECONDS)) {
          server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** Polls an instant query until it has a result (Prometheus needs a scrape or two first). */
  private static JsonNode awaitResult(int port, String query, Process server, Path log) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
        + URLEncoder.encode(query, StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "(no answer)";
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new AssertionError("prometheus exited with " + server.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        last = r.statusCode() + " " + r.body();
        if (r.statusCode() == 200) {
          JsonNode result = JSON.readTree(r.body()).path("data").path("result");
          if (result.isArray() && !result.isEmpty()) {
            return result;
          }
        }
      } catch (IOException e) {
        last = e.toString(); // not listening yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("no result for " + query + " within 60 s; last answer: " + last
        + "\nprometheus log:\n" + Files.readString(log));
  }
}
