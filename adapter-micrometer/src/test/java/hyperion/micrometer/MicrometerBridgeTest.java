package hyperion.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.OptionalBinder;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.Span;
import hyperion.Tracer;
import hyperion.config.Config;
import hyperion.prometheus.PrometheusModule;
import hyperion.redis.RedisModule;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.LoopbackPorts;
import hyperion.testkit.RecordingTracer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bridge for real: HikariCP against PostgreSQL (127.0.0.1:5432, database {@code test}) and
 * Lettuce (through the Redis adapter, against a spawned {@code redis-server}) report through
 * Micrometer, and their meters appear in the Prometheus adapter's {@code /metrics} with Prometheus
 * names; the port's cardinality guard and exemplars apply to bridged meters.
 */
class MicrometerBridgeTest {

  @RegisterExtension
  static final RedisServers REDIS = RedisServers.standalone();

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void hikariAndLettuceMetersAppearInMetricsWithPrometheusNames() throws Exception {
    int port = LoopbackPorts.free();
    String yaml = "admin: {host: 127.0.0.1, port: " + port + "}\nmetrics: {collect_runtime: false}\n"
        + REDIS.redisYaml();
    try (Hyperion app = Hyperion.start(Config.fromYaml(yaml), new PrometheusModule(), new RedisModule(),
        new MicrometerModule())) {
      HikariConfig hikari = new HikariConfig();
      hikari.setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/test");
      hikari.setUsername("postgres");
      hikari.setPoolName("bridge");
      hikari.setMaximumPoolSize(3);
      hikari.setMetricRegistry(app.injector().getInstance(MeterRegistry.class));
      try (HikariDataSource ds = new HikariDataSource(hikari)) {
        for (int i = 0; i < 5; i++) {
          try (Connection c = ds.getConnection(); Statement st = c.createStatement();
              ResultSet rs = st.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
          }
        }
        Cache cache = app.context().cache("bridge");
        cache.put("k", "v");
        assertThat(cache.get("k", String.class)).hasValue("v");

        Thread.sleep(MicrometerModule.REFRESH_INTERVAL.toMillis() + 500); // gauges are read once a second
        String text = scrape(port, "text/plain; version=0.0.4");
        assertThat(text)
            .contains("# TYPE hikaricp_connections_active gauge")
            .contains("hikaricp_connections_max{pool=\"bridge\"} 3.0")
            .contains("# TYPE hikaricp_connections_acquire_seconds histogram")
            .contains("# TYPE hikaricp_connections_timeout_total counter")
            .contains("hikaricp_connections_timeout_total{pool=\"bridge\"} 0.0");
        assertThat(value(text, "hikaricp_connections_acquire_seconds_count\\{pool=\"bridge\"}")).isEqualTo(5);
        assertThat(value(text, "hikaricp_connections\\{pool=\"bridge\"}")).isGreaterThanOrEqualTo(1);
        assertThat(text).contains("# TYPE lettuce_command_completion_seconds histogram")
            .contains("# TYPE lettuce_command_firstresponse_seconds histogram");
        assertThat(text).containsPattern("lettuce_command_completion_seconds_count\\{command=\"[A-Z]+\","
            + "local=\"[^\"]*\",remote=\"[^\"]+\"}");
        assertThat(sum(text, "lettuce_command_completion_seconds_count\\{[^}]*}"))
            .as("the cache's commands (a put and a get at least) in:\n%s", text).isGreaterThanOrEqualTo(2);
      }
    }
  }

  @Test
  void theCardinalityGuardAndExemplarsApplyToBridgedMeters() throws Exception {
    int port = LoopbackPorts.free();
    RecordingTracer tracer = new RecordingTracer();
    Module tracing = new AbstractModule() {
      @Override
      protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), Tracer.class).setBinding().toInstance(tracer);
      }
    };
    String yaml = "admin: {host: 127.0.0.1, port: " + port + "}\n"
        + "metrics: {collect_runtime: false, max_series_per_metric: 3}\n";
    try (Hyperion app = Hyperion.start(Config.fromYaml(yaml), new PrometheusModule(), new MicrometerModule(),
        tracing)) {
      MeterRegistry registry = app.injector().getInstance(MeterRegistry.class);
      for (int i = 0; i < 10; i++) {
        registry.counter("shop.visits", "user", "u" + i).increment();
      }
      Timer work = Timer.builder("shop.work").serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50),
          Duration.ofMillis(100)).register(registry);
      String traceId;
      try (Span span = tracer.start("work")) {
        traceId = span.traceId();
        work.record(Duration.ofMillis(42));
      }

      String text = scrape(port, "text/plain; version=0.0.4");
      assertThat(text).contains("shop_visits_total{user=\"u0\"} 1.0").contains("shop_visits_total{user=\"u1\"} 1.0")
          .contains("shop_visits_total{user=\"__overflow__\"} 8.0")
          .contains("hyperion_metrics_series_overflow_total{metric=\"shop_visits_total\"} 8.0")
          .doesNotContain("user=\"u5\"");
      assertThat(registry.counter("shop.visits", "user", "u5").count()).as("Micrometer's own view").isEqualTo(1.0);

      String om = scrape(port, "application/openmetrics-text; version=1.0.0; charset=utf-8");
      assertThat(om).containsPattern("shop_work_seconds_bucket\\{le=\"0\\.05\"} 1 # \\{span_id=\"[0-9a-f]{16}\","
          + "trace_id=\"" + traceId + "\"} 0\\.042");
    }
  }

  @Test
  void aMeterThePortRefusesIsKeptInMicrometerButNotExported() throws Exception {
    int port = LoopbackPorts.free();
    String yaml = "admin: {host: 127.0.0.1, port: " + port + "}\nmetrics: {collect_runtime: false}\n";
    try (Hyperion app = Hyperion.start(Config.fromYaml(yaml), new PrometheusModule(), new MicrometerModule())) {
      MeterRegistry registry = app.injector().getInstance(MeterRegistry.class);
      registry.counter("jobs", "kind", "a").increment();
      registry.counter("jobs", "queue", "b").increment(2); // other tag keys under the same name
      assertThat(registry.find("jobs").tag("queue", "b").counter().count()).isEqualTo(2.0);
      String text = scrape(port, "text/plain; version=0.0.4");
      assertThat(text).contains("jobs_total{kind=\"a\"} 1.0").doesNotContain("queue=");
    }
  }

  private static String scrape(int port, String accept) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .header("Accept", accept).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** The value of the one sample matching {@code series} (a regex of name and labels). */
  private static double value(String text, String series) {
    List<Double> values = values(text, series);
    assertThat(values).as("samples of %s in:\n%s", series, text).hasSize(1);
    return values.get(0);
  }

  private static double sum(String text, String series) {
    return values(text, series).stream().mapToDouble(Double::doubleValue).sum();
  }

  private static List<Double> values(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)").matcher(text);
    List<Double> out = new ArrayList<>();
    while (m.find()) {
      out.add(Double.parseDouble(m.group(1)));
    }
    return out;
  }
}
