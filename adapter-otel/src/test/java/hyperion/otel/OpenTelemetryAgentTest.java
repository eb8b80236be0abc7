package hyperion.otel;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.testkit.LoopbackPorts;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Beside the real OpenTelemetry Java agent ({@code io.opentelemetry.javaagent:opentelemetry-javaagent},
 * copied into {@code target/otel-agent/} by the build): with {@code tracing.sdk: auto} the adapter
 * uses the agent's OpenTelemetry, so the agent's JDBC and HTTP spans and the Hyperion spans form one
 * trace (Hyperion parent of agent spans and the other way round), exported once, by the agent's
 * exporter, to an OTLP receiver; log lines carry the trace id.
 */
class OpenTelemetryAgentTest {

  /** A received span with the names the assertions need. */
  record Received(String service, String scope, String name, String traceId, String spanId, String parentId,
      SpanKind kind) {}

  @Test
  void agentSpansAndHyperionSpansFormOneTraceExportedOnce() throws Exception {
    Path agent = Path.of(System.getProperty("otel.javaagent.jar", "target/otel-agent/opentelemetry-javaagent.jar"));
    assertThat(agent).as("the agent jar (run the tests through Maven, which copies it)").isRegularFile();
    int port = LoopbackPorts.free();
    try (OtlpReceiver receiver = OtlpReceiver.grpc(port)) {
      String endpoint = "http://127.0.0.1:" + port;
      // The adapter is configured to export to the same receiver: if it built a second SDK, its spans
      // would arrive a second time, under its own service name.
      String yaml = "service:\n  name: hyperion-own-sdk\ntracing:\n  exporter: otlp\n  endpoint: " + endpoint
          + "\n  batch:\n    delay: 50ms\n";
      Path log = Files.createTempFile("agent-child", ".log");
      ProcessBuilder pb = new ProcessBuilder(TestSupport.javaBin(), "-javaagent:" + agent.toAbsolutePath(),
          "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:off",
          "-Dotel.service.name=agent-service", "-Dotel.exporter.otlp.protocol=grpc",
          "-Dotel.exporter.otlp.endpoint=" + endpoint, "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none",
          "-Dotel.bsp.schedule.delay=50", "-Dotel.javaagent.logging=simple",
          "-cp", System.getProperty("java.class.path"), AgentChildMain.class.getName(), yaml)
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("OTEL_") || k.startsWith("HYPERION_"));
      Process child = pb.start();
      try {
        assertThat(child.waitFor(90, TimeUnit.SECONDS)).as("child finished").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).as(output).contains("SDK global").contains("HTTP 204");
        String[] ids = output.lines().filter(l -> l.startsWith("SPAN ")).findFirst().orElseThrow().split(" ");
        String traceId = ids[1];
        String hyperionSpanId = ids[2];

        // The agent flushes at JVM exit; its export may still be in flight for a moment.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<Received> spans = received(receiver);
        while (System.nanoTime() < deadline && !hasJdbcAndHttpChildren(spans, hyperionSpanId)) {
          Thread.sleep(100);
          spans = received(receiver);
        }
        Thread.sleep(500); // anything exported twice would arrive with or right after the rest
        spans = received(receiver);

        assertThat(spans).as("every span exported once").extracting(Received::spanId).doesNotHaveDuplicates();
        assertThat(spans).as("one exporter: the agent's").extracting(Received::service).containsOnly("agent-service");
        assertThat(spans).as("one trace").extracting(Received::traceId).containsOnly(traceId);
        Received hyperion = spans.stream().filter(s -> s.spanId().equals(hyperionSpanId)).findFirst().orElseThrow();
        assertThat(hyperion.scope()).isEqualTo("hyperion");
        assertThat(hyperion.name()).isEqualTo("hyperion-operation");
        assertThat(spans).filteredOn(s -> s.scope().contains("jdbc"))
            .as("the agent's JDBC spans, children of the Hyperion span").isNotEmpty()
            .allSatisfy(s -> assertThat(s.parentId()).isEqualTo(hyperionSpanId));
        Received client = spans.stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_CLIENT && s.scope().contains("http"))
            .findFirst().orElseThrow(() -> new AssertionError("no agent HTTP client span in " + received(receiver)));
        assertThat(client.parentId()).as("the agent's HTTP client span is a child of the Hyperion span")
            .isEqualTo(hyperionSpanId);
        Received server = spans.stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_SERVER).findFirst()
            .orElseThrow(() -> new AssertionError("no agent HTTP server span in " + received(receiver)));
        assertThat(server.parentId()).isEqualTo(client.spanId());
        assertThat(spans).filteredOn(s -> s.name().equals("hyperion-handler")).singleElement()
            .as("a Hyperion span started in the agent's server span is its child")
            .satisfies(s -> assertThat(s.parentId()).isEqualTo(server.spanId()));
        // Log lines are correlated beside the agent as well.
        assertThat(output).contains("trace_id=" + traceId + " - inside the hyperion span");
      } finally {
        child.destroyForcibly();
        Files.deleteIfExists(log);
      }
    }
  }

  private static boolean hasJdbcAndHttpChildren(List<Received> spans, String parentId) {
    return spans.stream().anyMatch(s -> s.scope().contains("jdbc") && s.parentId().equals(parentId))
        && spans.stream().anyMatch(s -> s.kind() == SpanKind.SPAN_KIND_CLIENT && s.parentId().equals(parentId))
        && spans.stream().anyMatch(s -> s.name().equals("hyperion-handler"))
        && spans.stream().anyMatch(s -> s.spanId().equals(parentId));
  }

  private static List<Received> received(OtlpReceiver receiver) {
    List<Received> out = new ArrayList<>();
    for (ResourceSpans rs : receiver.received) {
      Map<String, Object> resource = OtlpIntegrationTest.attributes(rs.getResource().getAttributesList());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
          out.add(new Received(String.valueOf(resource.get("service.name")), ss.getScope().getName(), s.getName(),
              OtlpIntegrationTest.hex(s.getTraceId()), OtlpIntegrationTest.hex(s.getSpanId()),
              OtlpIntegrationTest.hex(s.getParentSpanId()), s.getKind()));
        }
      }
    }
    return out;
  }
}
