package hyperion.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import hyperion.HealthCheck;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The admin HTTP server over a real socket. */
class AdminServerTest {

  @Test
  void metricsInTextAndOpenMetricsByContentNegotiation() {
    try (Admin admin = Admin.start("collect_runtime: false")) {
      admin.metrics().counter("hyperion_test_jobs_total", "Jobs", "kind").labels("import").inc(3);

      HttpResponse<String> text = admin.get("/metrics");
      assertThat(text.statusCode()).isEqualTo(200);
      assertThat(text.headers().firstValue("Content-Type")).hasValueSatisfying(
          v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
      assertThat(text.body()).contains("# TYPE hyperion_test_jobs_total counter")
          .contains("hyperion_test_jobs_total{kind=\"import\"} 3.0");

      HttpResponse<String> om = admin.get("/metrics", "Accept",
          "application/openmetrics-text; version=1.0.0; charset=utf-8");
      assertThat(om.headers().firstValue("Content-Type")).hasValueSatisfying(
          v -> assertThat(v).startsWith("application/openmetrics-text"));
      assertThat(om.body()).contains("# TYPE hyperion_test_jobs counter")
          .contains("hyperion_test_jobs_total{kind=\"import\"} 3.0").endsWith("# EOF\n");
    }
  }

  @Test
  void metricsAreGzippedWhenAsked() throws IOException {
    try (Admin admin = Admin.start("collect_runtime: false")) {
      admin.metrics().gauge("hyperion_test_gzip", "Gzip").set(7);
      HttpResponse<byte[]> r = admin.getBytes("/metrics", "Accept-Encoding", "gzip");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Encoding")).hasValue("gzip");
      String body = new String(new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes(),
          StandardCharsets.UTF_8);
      assertThat(body).contains("hyperion_test_gzip 7.0");
    }
  }

  @Test
  void runtimeMetricsWhenEnabled() {
    try (Admin admin = Admin.start("collect_runtime: true")) {
      assertThat(admin.scrape()).contains("jvm_memory_used_bytes").contains("jvm_threads_current");
    }
  }

  @Test
  void customPathAndNamespace() {
    try (Admin admin = Admin.start("collect_runtime: false\npath: /prometheus\nnamespace: shop")) {
      admin.metrics().counter("orders_total", "Orders").inc();
      assertThat(admin.get("/prometheus").body()).contains("shop_orders_total 1.0");
      assertThat(admin.get("/metrics").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void readyTurns503WithTheFailingCheckNamedAndBackTo200() {
    AtomicBoolean databaseUp = new AtomicBoolean(true);
    HealthCheck database = new HealthCheck() {
      @Override
      public String name() {
        return "database";
      }

      @Override
      public Result check() {
        return databaseUp.get() ? Result.up("connected") : Result.down("connection refused");
      }
    };
    AbstractModule checks = new AbstractModule() {
      @Override
      protected void configure() {
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().toInstance(database);
      }
    };
    try (Admin admin = Admin.start("collect_runtime: false", checks)) {
      HttpResponse<String> up = admin.get("/ready");
      assertThat(up.statusCode()).isEqualTo(200);
      assertThat(up.headers().firstValue("Content-Type")).hasValueSatisfying(
          v -> assertThat(v).startsWith("application/json"));
      assertThat(up.body()).startsWith("{\"status\":\"UP\"").contains("\"name\":\"database\"");

      databaseUp.set(false);
      HttpResponse<String> down = admin.get("/ready");
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.body()).startsWith("{\"status\":\"DOWN\"")
          .contains("{\"name\":\"database\",\"status\":\"DOWN\",\"message\":\"connection refused\"")
          .contains("{\"name\":\"lifecycle\",\"status\":\"UP\"");

      databaseUp.set(true);
      assertThat(admin.get("/ready").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void unknownPathsAndMethods() {
    try (Admin admin = Admin.start("collect_runtime: false")) {
      assertThat(admin.get("/").statusCode()).isEqualTo(404);
      assertThat(admin.get("/metricsx").statusCode()).isEqualTo(404);
      assertThat(admin.get("/ready/x").statusCode()).isEqualTo(404);
      HttpResponse<String> post = admin.send("/metrics", "POST", new String[0], HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }
  }

  @Test
  void scrapeSitsBesideTheProbesAndMetricsDisabledLeavesOnlyTheProbes() {
    try (Admin admin = Admin.start("collect_runtime: false")) {
      assertThat(admin.get("/health/live").statusCode()).isEqualTo(200);
      assertThat(admin.get("/health/ready").statusCode()).isEqualTo(200);
      assertThat(admin.get("/nope").body()).contains("/metrics").contains("/health/ready");
    }
    try (Admin admin = Admin.start("enabled: false")) {
      HttpResponse<String> r = admin.get("/metrics");
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).contains("metrics.enabled = false");
      assertThat(admin.get("/health/ready").statusCode()).isEqualTo(200);
    }
  }
}
