package hyperion.examples.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import hyperion.examples.load.DemoStack;
import hyperion.examples.load.LoadOptions;
import hyperion.examples.load.LoadRun;
import hyperion.examples.load.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules against the running demo: a real Prometheus evaluates {@code alerts.yml} every
 * second while the load generator's {@code baseline} and {@code mixed} scenarios run with their
 * default rate and duration; after each, no alert may be pending or firing, and none may have
 * fired. (The latency alert is excused only when the client itself measured a p95 near the 500 ms
 * objective: then the machine, not the demo, is too slow.) The RED dashboard's 5xx panel reads 0,
 * not "No data", when nothing failed.
 */
@ExtendWith(DemoStack.Resolver.class)
class AlertsSilentTest {
  @Test
  @Timeout(180)
  void noAlertFiresOrIsPendingUnderTheBaselineAndMixedScenarios(DemoStack stack, @TempDir Path dir) throws Exception {
    StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        + "rule_files:\n  - " + DeployAssets.DIR.resolve("prometheus/alerts.yml").toAbsolutePath() + "\n"
        + "scrape_configs:\n");
    for (String job : List.of("gateway", "users", "orders")) {
      config.append("  - job_name: ").append(job).append("\n    static_configs:\n      - targets: ['127.0.0.1:")
          .append(stack.adminPort(job)).append("']\n");
    }
    try (PrometheusServer prometheus = PrometheusServer.start(dir, config.toString())) {
      prometheus.awaitUp(3, Duration.ofSeconds(60));
      StringBuilder reports = new StringBuilder();
      List<JsonNode> pending = new java.util.ArrayList<>();
      for (Scenario scenario : List.of(Scenario.BASELINE, Scenario.MIXED)) {
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        LoadRun.Result r = new LoadRun(LoadOptions.of(scenario, stack.gateway(), stack.metrics()),
            new PrintStream(report, true, StandardCharsets.UTF_8)).run();
        reports.append(report.toString(StandardCharsets.UTF_8));
        assertThat(r.passed()).as(reports.toString()).isTrue();
        Thread.sleep(3000); // a few more evaluations after the last request
        boolean tooSlow = r.service().getValueAtPercentile(95) >= 400_000; // micros: near the 500 ms objective
        // What holds over the scenario's traffic, not a blip of its first seconds: the rules' rate
        // windows reach back to Prometheus's start, so a condition the traffic keeps true is still
        // pending now, while one that held for a few evaluations over a handful of samples is not.
        prometheus.query("ALERTS").forEach(a -> {
          if (!(tooSlow && a.path("metric").path("alertname").asText().equals("HyperionHighLatencyP95"))) {
            pending.add(a);
          }
        });
      }
      assertThat(pending).as("alerts pending or firing after the scenarios\n%s", reports).isEmpty();
      assertThat(prometheus.query("max_over_time(ALERTS{alertstate=\"firing\"}[10m])")).as("alerts that fired").isEmpty();

      String errorRatio = DeployAssets.panelExpression("hyperion-red.json", "Error ratio (5xx)")
          .replace("$job", ".*").replace("$__rate_interval", "1m");
      JsonNode ratio = prometheus.query(errorRatio);
      assertThat(ratio).as("one 5xx ratio per job, 0 when nothing failed: %s", errorRatio).hasSize(3);
      ratio.forEach(series -> assertThat(series.path("value").path(1).asDouble()).isZero());
    }
  }

}
