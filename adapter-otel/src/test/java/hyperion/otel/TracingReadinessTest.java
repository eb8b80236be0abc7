package hyperion.otel;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import hyperion.HealthCheck;
import hyperion.Span;
import hyperion.Tracer;
import hyperion.lifecycle.Health;
import hyperion.lifecycle.HealthReport;
import hyperion.lifecycle.Lifecycle;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A dead trace backend with a full export queue turns the {@code tracing} check DOWN, and by
 * default that never reaches readiness (it would pull every instance out of rotation at once);
 * {@code health.groups.tracing: [ready]} puts it there.
 */
class TracingReadinessTest {

  private static final String YAML = """
      tracing:
        exporter: zipkin
        endpoint: http://127.0.0.1:%d/api/v2/spans
        timeout: 300ms
        batch:
          queue_size: 50
          max_batch_size: 10
          delay: 20ms
          export_timeout: 500ms
      """;

  @Test
  void aDeadBackendFailsTheTracingCheckButNotReadiness() throws Exception {
    HealthReport ready = readinessWithTheBackendDown("");
    assertThat(ready.checks()).extracting(HealthReport.Check::name).containsExactly("lifecycle");
    assertThat(ready.healthy()).isTrue();
  }

  @Test
  void configurationPutsTheTracingCheckIntoReadiness() throws Exception {
    HealthReport ready = readinessWithTheBackendDown("health:\n  groups:\n    tracing: [ready]\n");
    assertThat(ready.checks()).extracting(HealthReport.Check::name).containsExactly("lifecycle", "tracing");
    assertThat(ready.healthy()).isFalse();
  }

  private static HealthReport readinessWithTheBackendDown(String extraYaml) throws Exception {
    // A backend that takes connections and never answers: every export waits for its timeout, so
    // the queue stays full (one that refuses at once would be drained as fast as spans arrive).
    try (ServerSocket hung = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress())) {
      return readiness(YAML.formatted(hung.getLocalPort()) + extraYaml);
    }
  }

  private static HealthReport readiness(String yaml) throws Exception {
    Injector injector = TestSupport.injector(yaml, Map.of());
    Lifecycle lifecycle = injector.getInstance(Lifecycle.class);
    lifecycle.start(Duration.ofSeconds(10));
    try {
      Tracer tracer = injector.getInstance(Tracer.class);
      Health health = injector.getInstance(Health.class);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      HealthReport.Check tracing;
      do {
        fill(tracer);
        tracing = health.check().checks().stream().filter(c -> c.name().equals("tracing")).findFirst().orElseThrow();
        Thread.sleep(20);
      } while (tracing.healthy() && System.nanoTime() < deadline);
      assertThat(tracing.healthy()).as("tracing check with the backend down and the queue full: %s", tracing)
          .isFalse();
      assertThat(tracing.message()).contains("last export failed").contains("queue 50/50");
      fill(tracer); // still full when readiness runs
      return health.check(HealthCheck.Group.READY);
    } finally {
      lifecycle.stop(Duration.ofSeconds(5));
    }
  }

  /** Ends more spans than the queue holds. */
  private static void fill(Tracer tracer) {
    for (int i = 0; i < 200; i++) {
      try (Span s = tracer.start("while-down")) {
        s.setAttribute("i", (long) i);
      }
    }
  }
}
