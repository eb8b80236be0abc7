package hyperion.examples.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LoadOptionsTest {

  @Test
  void defaultsTargetTheLocalDemo() {
    LoadOptions o = LoadOptions.parse(new String[] {"--scenario", "spike"});
    assertThat(o.target().toString()).isEqualTo("http://127.0.0.1:8080");
    assertThat(o.metrics()).containsOnlyKeys("gateway", "users", "orders", "users-2");
    assertThat(o.metrics().get("users-2").toString()).isEqualTo("http://127.0.0.1:9467/metrics");
    assertThat(o.skipAbsentMetrics()).as("the default list names users-2, which may not run").isTrue();
    assertThat(o.rps()).isEqualTo(Scenario.SPIKE.defaultRps());
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(3));
    assertThat(LoadOptions.parse(new String[] {"--warmup", "0s"}).warmup()).isZero();

    LoadOptions shifted = LoadOptions.parse(new String[] {"--port-offset", "20000"});
    assertThat(shifted.target().toString()).isEqualTo("http://127.0.0.1:28080");
    assertThat(shifted.metrics().get("orders").toString()).isEqualTo("http://127.0.0.1:29466/metrics");
    assertThat(LoadOptions.parse(new String[] {"--metrics", "gateway=http://127.0.0.1:1/metrics"})
        .skipAbsentMetrics()).as("an explicit list is all required").isFalse();
  }

  @Test
  void refusesNonLoopbackTargets() {
    assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--target", "http://192.0.2.10:8080"}))
        .hasMessageContaining("refusing non-loopback target http://192.0.2.10:8080");
    assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--metrics", "gateway=http://10.1.2.3:9464/metrics"}))
        .hasMessageContaining("--metrics gateway: refusing non-loopback target");
    assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--zipkin", "http://198.51.100.7:9411"}))
        .hasMessageContaining("--zipkin: refusing non-loopback target");
    assertThat(LoadOptions.parse(new String[] {"--target", "http://localhost:8080"}).target().getHost())
        .isEqualTo("localhost");
  }

  @Test
  void isBoundedInTimeCountRateAndConcurrency() {
    assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--duration", "11m"})).hasMessageContaining("--duration");
    assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--rps", "2001"})).hasMessageContaining("--rps");
    assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--max-requests", "0"}))
        .hasMessageContaining("--max-requests");
    assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--concurrency", "500"}))
        .hasMessageContaining("--concurrency");
    assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--warmup", "2m"}))
        .hasMessageContaining("--warmup: PT2M is outside [0, PT1M]");
    assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--scenario", "soak"}))
        .hasMessageContaining("allowed: baseline, spike, sustained, mixed");
    LoadOptions o = LoadOptions.parse(new String[] {"--rps", "100", "--duration", "10s", "--max-requests", "25"});
    assertThat(o.scenario().schedule(o.rps(), o.duration(), o.maxRequests())).hasSize(25);
  }

  @Test
  void spikeRunsFiveTimesTheRateInTheMiddleThird() {
    long[] s = Scenario.SPIKE.schedule(10, Duration.ofSeconds(3), 1000);
    long first = Arrays.stream(s).filter(t -> t < 1_000_000_000L).count();
    long middle = Arrays.stream(s).filter(t -> t >= 1_000_000_000L && t < 2_000_000_000L).count();
    long last = Arrays.stream(s).filter(t -> t >= 2_000_000_000L).count();
    assertThat(first).isEqualTo(10);
    assertThat(middle).isEqualTo(50);
    assertThat(last).isEqualTo(10);
  }

  @Test
  void parsesTheTextFormat() {
    PromText p = PromText.parse("""
        # TYPE hyperion_http_server_requests_total counter
        hyperion_http_server_requests_total{method="GET",route="/users/{id}",status="200"} 12.0
        hyperion_http_server_requests_total{method="GET",route="/users/{id}",status="404"} 3.0
        x_bucket{le="+Inf",note="a \\"quoted\\", value"} 4
        """);
    assertThat(p.sum("hyperion_http_server_requests_total")).isEqualTo(15.0);
    assertThat(p.byLabels("hyperion_http_server_requests_total", "method", "route", "status"))
        .containsEntry("GET /users/{id} 404", 3.0);
    assertThat(p.samples().get(2).labels()).containsEntry("note", "a \"quoted\", value");
    assertThat(p.types()).containsEntry("hyperion_http_server_requests_total", "counter");
  }
}
