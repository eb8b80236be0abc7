package hyperion.examples.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The operations assets are valid: promtool checks and unit-tests the rules and the Prometheus
 * configuration, amtool checks the Alertmanager configuration, the compose file and the Grafana
 * provisioning parse and reference files that exist. (No Docker engine here: compose is not run.)
 */
class DeployAssetsTest {

  static String run(Path dir, String... command) throws Exception {
    String tool = command[0];
    if (!onPath(tool)) {
      fail(tool + " is not installed: " + (tool.equals("amtool")
          ? "apt-get install prometheus-alertmanager" : "apt-get install prometheus")
          + " (.ci/run installs it)");
    }
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " did not finish in 60 s:\n" + out);
    }
    assertThat(p.exitValue()).as(String.join(" ", command) + " in " + dir + ":\n" + out).isZero();
    return out;
  }

  static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void promtoolChecksTheRules() throws Exception {
    assertThat(run(DeployAssets.DIR.resolve("prometheus"), "promtool", "check", "rules", "alerts.yml"))
        .contains("SUCCESS: 8 rules found");
  }

  @Test
  void promtoolRuleTestsPass() throws Exception {
    assertThat(run(DeployAssets.DIR.resolve("prometheus"), "promtool", "test", "rules", "tests/alerts_test.yml"))
        .contains("SUCCESS");
  }

  @Test
  void everyAlertHasAFiringAndANonFiringRuleTest() throws Exception {
    JsonNode rules = DeployAssets.read(DeployAssets.YAML, DeployAssets.DIR.resolve("prometheus/alerts.yml"));
    JsonNode tests = DeployAssets.read(DeployAssets.YAML, DeployAssets.DIR.resolve("prometheus/tests/alerts_test.yml"));
    Set<String> alerts = new TreeSet<>();
    rules.path("groups").forEach(g -> g.path("rules").forEach(r -> alerts.add(r.path("alert").asText())));
    assertThat(alerts).contains("HyperionServiceDown", "HyperionHighErrorRate", "HyperionHighLatencyP95",
        "HyperionCacheL1HitRatioLow", "HyperionCacheL2HitRatioLow", "HyperionRedisBreakerOpen",
        "HyperionSpansDropped");
    Set<String> fires = new TreeSet<>();
    Set<String> silent = new TreeSet<>();
    tests.path("tests").forEach(t -> t.path("alert_rule_test").forEach(a -> {
      (a.path("exp_alerts").isEmpty() ? silent : fires).add(a.path("alertname").asText());
    }));
    assertThat(fires).as("alerts with a rule test where they fire").isEqualTo(alerts);
    assertThat(silent).as("alerts with a rule test where they do not fire").isEqualTo(alerts);
  }

  @Test
  void prometheusConfigIsValidAndScrapesTheThreeAdminPorts() throws Exception {
    run(DeployAssets.DIR.resolve("prometheus"), "promtool", "check", "config", "prometheus.yml");
    JsonNode config = DeployAssets.read(DeployAssets.YAML, DeployAssets.DIR.resolve("prometheus/prometheus.yml"));
    List<String> targets = new ArrayList<>();
    config.path("scrape_configs").forEach(s -> s.path("static_configs").forEach(c -> c.path("targets")
        .forEach(t -> targets.add(s.path("job_name").asText() + "=" + t.asText()))));
    assertThat(targets).containsExactlyInAnyOrder("gateway=gateway:9464", "users=users:9465", "orders=orders:9466");
  }

  @Test
  void localPrometheusConfigsAreValidAndScrapeExactlyWhatTheDemoRuns() throws Exception {
    assertThat(localTargets("prometheus-local.yml")).as("the default demo: nothing that does not run")
        .containsExactlyInAnyOrder("gateway=127.0.0.1:9464", "users=127.0.0.1:9465", "orders=127.0.0.1:9466");
    assertThat(localTargets("prometheus-local-two-users.yml")).containsExactlyInAnyOrder("gateway=127.0.0.1:9464",
        "users=127.0.0.1:9465", "users=127.0.0.1:9467", "orders=127.0.0.1:9466");
  }

  private static List<String> localTargets(String file) throws Exception {
    run(DeployAssets.DIR.resolve("prometheus"), "promtool", "check", "config", file);
    JsonNode config = DeployAssets.read(DeployAssets.YAML, DeployAssets.DIR.resolve("prometheus/" + file));
    assertThat(config.path("rule_files").get(0).asText()).isEqualTo("alerts.yml");
    List<String> targets = new ArrayList<>();
    config.path("scrape_configs").forEach(s -> s.path("static_configs").forEach(c -> c.path("targets")
        .forEach(t -> targets.add(s.path("job_name").asText() + "=" + t.asText()))));
    return targets;
  }

  @Test
  void amtoolChecksTheAlertmanagerConfig() throws Exception {
    assertThat(run(DeployAssets.DIR.resolve("alertmanager"), "amtool", "check-config", "alertmanager.yml"))
        .contains("SUCCESS");
  }

  @Test
  void composeFileParsesAndEverythingItMountsExists() throws IOException {
    Path compose = DeployAssets.DIR.resolve("docker-compose.yml");
    JsonNode c = DeployAssets.read(DeployAssets.YAML, compose);
    assertThat(c.path("services").fieldNames()).toIterable().containsExactlyInAnyOrder("users", "orders", "gateway",
        "redis", "postgres", "zipkin", "jaeger", "prometheus", "alertmanager", "grafana");
    for (var it = c.path("services").fields(); it.hasNext(); ) {
      var e = it.next();
      JsonNode s = e.getValue();
      assertThat(s.path("image").asText()).as(e.getKey() + " image").isNotEmpty();
      for (JsonNode v : s.path("volumes")) {
        Path host = DeployAssets.DIR.resolve(v.asText().split(":")[0]).normalize();
        assertThat(host).as(e.getKey() + " mounts " + v.asText()).exists();
      }
      for (JsonNode p : s.path("ports")) {
        assertThat(p.asText()).as(e.getKey() + " publishes on loopback only").startsWith("127.0.0.1:");
      }
      if (s.has("build")) {
        Path context = DeployAssets.DIR.resolve(s.path("build").path("context").asText()).normalize();
        assertThat(context.resolve(s.path("build").path("dockerfile").asText())).exists();
        assertThat(context.resolve("pom.xml")).exists();
      }
      for (JsonNode d : s.path("depends_on")) {
        assertThat(c.path("services").has(d.asText())).as(e.getKey() + " depends on " + d.asText()).isTrue();
      }
    }
    // the admin ports the services listen on are the ones Prometheus scrapes
    assertThat(c.path("services").path("gateway").path("command").toString()).contains("\"9464\"");
    assertThat(c.path("services").path("users").path("command").toString()).contains("\"9465\"");
    assertThat(c.path("services").path("orders").path("command").toString()).contains("\"9466\"");
  }

  @Test
  void grafanaProvisioningPointsAtTheDashboards() {
    JsonNode ds = DeployAssets.read(DeployAssets.YAML,
        DeployAssets.DIR.resolve("grafana/provisioning/datasources/prometheus.yml"));
    List<String> uids = new ArrayList<>();
    ds.path("datasources").forEach(d -> uids.add(d.path("uid").asText()));
    assertThat(uids).contains("prometheus", "zipkin", "jaeger");
    assertThat(DeployAssets.dashboards()).extracting(p -> p.getFileName().toString())
        .containsExactly("hyperion-cache.json", "hyperion-jvm.json", "hyperion-red.json");
    for (Path d : DeployAssets.dashboards()) {
      JsonNode json = DeployAssets.read(DeployAssets.JSON, d);
      assertThat(json.path("uid").asText()).isNotEmpty();
      json.path("panels").forEach(p -> p.path("targets").forEach(t -> {
        assertThat(uids).contains(t.path("datasource").path("uid").asText());
        assertThat(t.path("expr").asText()).isNotBlank();
      }));
    }
  }

  @Test
  void metricNameExtraction() {
    assertThat(DeployAssets.metricNames("histogram_quantile(0.95, sum by (job, le) "
        + "(rate(hyperion_http_server_request_duration_seconds_bucket{job=~\"$job\",status=~\"5..\"}[5m]))) > 0.5"))
        .containsExactly("hyperion_http_server_request_duration_seconds_bucket");
    assertThat(DeployAssets.metricNames("up{job=\"x\"} == 0 and on (job) foo_total offset 5m")).containsExactly(
        "foo_total");
  }
}
