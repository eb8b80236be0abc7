package hyperion.examples.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import hyperion.examples.load.DemoStack;
import hyperion.examples.load.LoadOptions;
import hyperion.examples.load.LoadRun;
import hyperion.examples.load.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules against the running demo: a real Prometheus evaluates {@code alerts.yml} every
 * second while the load generator's {@code baseline} and {@code mixed} scenarios run with their
 * default rate and duration; no alert may even go pending. The RED dashboard's 5xx panel reads 0,
 * not "No data", when nothing failed.
 */
@ExtendWith(DemoStack.Resolver.class)
class AlertsSilentTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  @Timeout(180)
  void noAlertFiresOrIsPendingUnderTheBaselineAndMixedScenarios(DemoStack stack, @TempDir Path dir) throws Exception {
    Path prometheus = Path.of("/usr/bin/prometheus");
    if (!Files.isExecutable(prometheus)) {
      fail("prometheus is not installed: apt-get install prometheus (.ci/run installs it)");
    }
    StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        + "rule_files:\n  - " + DeployAssets.DIR.resolve("prometheus/alerts.yml").toAbsolutePath() + "\n"
        + "scrape_configs:\n");
    for (String job : List.of("gateway", "users", "orders")) {
      config.append("  - job_name: ").append(job).append("\n    static_configs:\n      - targets: ['127.0.0.1:")
          .append(stack.adminPort(job)).append("']\n");
    }
    Files.writeString(dir.resolve("prometheus.yml"), config);
    int port = DemoStack.freePort();
    Process p = new ProcessBuilder(prometheus.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    try {
      URI api = URI.create("http://127.0.0.1:" + port + "/api/v1/");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          if (query(api, "count(up == 1)").path(0).path("value").path(1).asInt() == 3) {
            break;
          }
        } catch (java.io.IOException e) {
          // not listening yet
        }
        assertThat(System.nanoTime()).as("Prometheus scraping the three services").isLessThan(deadline);
        Thread.sleep(500);
      }
      double slowest = 0;
      StringBuilder reports = new StringBuilder();
      for (Scenario scenario : List.of(Scenario.BASELINE, Scenario.MIXED)) {
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        LoadRun.Result r = new LoadRun(LoadOptions.of(scenario, stack.gateway(), stack.metrics()),
            new PrintStream(report, true, StandardCharsets.UTF_8)).run();
        reports.append(report.toString(StandardCharsets.UTF_8));
        assertThat(r.passed()).as(reports.toString()).isTrue();
        slowest = Math.max(slowest, r.service().getValueAtPercentile(95) / 1e6);
      }
      Thread.sleep(3000); // a few more evaluations after the last request
      JsonNode alerts = query(api, "max_over_time(ALERTS[10m])");
      if (slowest >= 0.4) {
        // The machine was too busy for the latency objective itself (p95 near 500 ms as the client
        // measured it): the latency alert is then right to go pending; every other alert must not.
        System.out.println("client-side p95 " + slowest + " s: HyperionHighLatencyP95 may be pending");
        List<JsonNode> others = new java.util.ArrayList<>();
        alerts.forEach(a -> {
          if (!a.path("metric").path("alertname").asText().equals("HyperionHighLatencyP95")) {
            others.add(a);
          }
        });
        assertThat(others).as("alerts pending or firing during the scenarios\n%s", reports).isEmpty();
      } else {
        assertThat(alerts).as("alerts pending or firing during the scenarios (client p95 %s s)\n%s", slowest,
            reports).isEmpty();
      }

      String errorRatio = DeployAssets.panelExpression("hyperion-red.json", "Error ratio (5xx)")
          .replace("$job", ".*").replace("$__rate_interval", "1m");
      JsonNode ratio = query(api, errorRatio);
      assertThat(ratio).as("one 5xx ratio per job, 0 when nothing failed: %s", errorRatio).hasSize(3);
      ratio.forEach(series -> assertThat(series.path("value").path(1).asDouble()).isZero());
    } finally {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private static JsonNode query(URI api, String promql) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(api.resolve("query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return DeployAssets.JSON.readTree(r.body()).path("data").path("result");
  }
}
