package hyperion.otel;

import hyperion.otel.testkit.ZipkinServer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Injector;
import hyperion.Span;
import hyperion.SpanKind;
import hyperion.TraceContext;
import hyperion.Tracer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Against a real Zipkin server: one trace across two services (links as tags), and a graceful SIGTERM flush. */
class ZipkinIntegrationTest {
  @RegisterExtension
  static final ZipkinServer ZIPKIN = new ZipkinServer();

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Injector service(String name) {
    return service(name, "");
  }

  /** {@code extra}: more {@code tracing} keys, indented by 2. */
  private static Injector service(String name, String extra) {
    return TestSupport.injector("""
        service:
          name: %s
        tracing:
          exporter: zipkin
          endpoint: %s
          batch:
            delay: 100ms
        %s""".formatted(name, ZIPKIN.baseUrl(), extra), Map.of());
  }

  /** The gateway exports protobuf3 (the default), users JSON: Zipkin joins both into one trace. */
  @Test
  void twoServicesJoinedByPropagationFormOneTrace() throws Exception {
    Injector gateway = service("gateway");
    Injector users = service("users", "  zipkin_encoding: json\n");
    Tracer gw = gateway.getInstance(Tracer.class);
    Tracer us = users.getInstance(Tracer.class);

    String traceId;
    Map<String, String> headers = new HashMap<>();
    Span producer = gw.spanBuilder("publish").noParent().start();
    producer.close();
    try (Span server = gw.spanBuilder("GET /users/{id}").kind(SpanKind.SERVER).attribute("http.route", "/users/{id}")
        .start()) {
      traceId = server.traceId();
      try (Span client = gw.spanBuilder("GET users").kind(SpanKind.CLIENT).attribute("peer.service", "users")
          .attribute("server.port", 8080L).start()) {
        gw.inject(headers, (c, k, v) -> c.put(k, v));
        // "users" handles the request: its own process in production, its own SDK here.
        TraceContext remote = us.extract(headers, new hyperion.TextMapGetter<Map<String, String>>() {
          @Override public Iterable<String> keys(Map<String, String> c) { return c.keySet(); }
          @Override public String get(Map<String, String> c, String k) { return c.get(k); }
        });
        try (Span usersServer = us.spanBuilder("GET /users/42").kind(SpanKind.SERVER).parent(remote).start()) {
          usersServer.setAttribute("user.found", false);
          // A link to a span of another trace, as a batch consumer would have to each message's producer.
          try (Span db = us.spanBuilder("db.query").link(producer.context(), Map.of("messaging.message.id", "m-1"))
              .start()) {
            db.setAttribute("db.rows", 0L).recordError(new IllegalStateException("db down"));
          }
        }
        client.setAttribute("http.status_code", 500L);
      }
    }
    gateway.getInstance(TracingRuntime.class).stop();
    users.getInstance(TracingRuntime.class).stop();

    JsonNode trace = awaitTrace(traceId, 4);
    Map<String, JsonNode> byName = new HashMap<>();
    trace.forEach(s -> byName.put(s.get("name").asText(), s));
    assertThat(byName).containsOnlyKeys("get /users/{id}", "get users", "get /users/42", "db.query");

    JsonNode gwServer = byName.get("get /users/{id}");
    JsonNode gwClient = byName.get("get users");
    JsonNode usServer = byName.get("get /users/42");
    JsonNode db = byName.get("db.query");

    assertThat(gwServer.has("parentId")).isFalse();
    assertThat(gwServer.get("kind").asText()).isEqualTo("SERVER");
    assertThat(gwServer.at("/localEndpoint/serviceName").asText()).isEqualTo("gateway");
    assertThat(gwServer.at("/tags/http.route").asText()).isEqualTo("/users/{id}");

    assertThat(gwClient.get("parentId").asText()).isEqualTo(gwServer.get("id").asText());
    assertThat(gwClient.get("kind").asText()).isEqualTo("CLIENT");
    assertThat(gwClient.at("/remoteEndpoint/serviceName").asText()).isEqualTo("users");
    assertThat(gwClient.at("/remoteEndpoint/port").asInt()).isEqualTo(8080);
    assertThat(gwClient.at("/tags/http.status_code").asText()).isEqualTo("500");
    assertThat(gwClient.at("/tags/error").isMissingNode()).isTrue();

    assertThat(usServer.get("parentId").asText()).isEqualTo(gwClient.get("id").asText());
    assertThat(usServer.get("kind").asText()).isEqualTo("SERVER");
    assertThat(usServer.at("/localEndpoint/serviceName").asText()).isEqualTo("users");
    assertThat(usServer.at("/tags/user.found").asText()).isEqualTo("false");

    assertThat(db.get("parentId").asText()).isEqualTo(usServer.get("id").asText());
    assertThat(db.has("kind")).isFalse();
    assertThat(db.at("/tags/error").asText()).isEqualTo("db down");
    assertThat(db.at("/tags/db.rows").asText()).isEqualTo("0");
    assertThat(db.at("/tags/otel.link.0.trace_id").asText()).isEqualTo(producer.traceId()).isNotEqualTo(traceId);
    assertThat(db.at("/tags/otel.link.0.span_id").asText()).isEqualTo(producer.spanId());
    assertThat(db.at("/tags/otel.link.0.messaging.message.id").asText()).isEqualTo("m-1");
    assertThat(StreamSupport.stream(db.get("annotations").spliterator(), false).map(a -> a.get("value").asText()))
        .anyMatch(v -> v.startsWith("\"exception\":{") && v.contains("IllegalStateException"));
    assertThat(trace).allMatch(s -> s.get("traceId").asText().equals(traceId));
  }

  @Test
  void childJvmDeliversAllSpansOnSigterm() throws Exception {
    Path config = Files.createTempFile("child", ".yaml");
    Files.writeString(config, """
        service:
          name: child
          shutdown_timeout: 15s
        tracing:
          exporter: zipkin
          endpoint: %s
        """.formatted(ZIPKIN.baseUrl()));
    ProcessBuilder pb = new ProcessBuilder(TestSupport.javaBin(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), ChildJvmMain.class.getName(), "1000").redirectErrorStream(true);
    pb.environment().put("HYPERION_CONFIG", config.toString());
    Process child = pb.start();
    StringBuilder output = new StringBuilder();
    CompletableFuture<String> traceIdLine = new CompletableFuture<>();
    // Hyperion.run installs its signal handlers after start-up and then logs this line; a SIGTERM
    // before it would hit the JVM's default handling (exit 143).
    CompletableFuture<Void> handlersInstalled = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (output) {
            output.append(line).append('\n');
          }
          if (line.startsWith("READY ")) {
            traceIdLine.complete(line.substring(6).trim());
          }
          if (line.contains("send SIGTERM or SIGINT to stop")) {
            handlersInstalled.complete(null);
          }
        }
      } catch (Exception e) {
        traceIdLine.completeExceptionally(e);
      }
      traceIdLine.completeExceptionally(new IllegalStateException("child ended without READY:\n" + output));
      handlersInstalled.completeExceptionally(new IllegalStateException("child ended before running:\n" + output));
    }, "child-output");
    reader.setDaemon(true);
    reader.start();
    try {
      String traceId = traceIdLine.get(60, TimeUnit.SECONDS);
      handlersInstalled.get(30, TimeUnit.SECONDS);
      child.destroy(); // SIGTERM
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child stopped in time").isTrue();
      reader.join(5000);
      synchronized (output) {
        assertThat(child.exitValue()).as("exit status; output:\n%s", output).isZero();
      }
      JsonNode trace = awaitTrace(traceId, 1000);
      assertThat(trace.size()).isEqualTo(1000);
    } finally {
      child.destroyForcibly();
      Files.deleteIfExists(config);
    }
  }

  private static JsonNode awaitTrace(String traceId, int spans) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      var response = ZIPKIN.get("/api/v2/trace/" + traceId);
      if (response.statusCode() == 200) {
        last = JSON.readTree(response.body());
        if (last.size() >= spans) {
          return last;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("trace " + traceId + " did not reach " + spans + " spans in Zipkin; last: "
        + (last == null ? "none" : last.size() + " spans"));
  }
}
