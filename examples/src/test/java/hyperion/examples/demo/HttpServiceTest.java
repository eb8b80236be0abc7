package hyperion.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.SpanKind;
import hyperion.testkit.RecordingMetrics;
import hyperion.testkit.RecordingTracer;
import hyperion.testkit.RecordingTracer.RecordedSpan;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The traced HTTP server and client of the demo, in process, with the recording test doubles. */
class HttpServiceTest {
  private final RecordingTracer tracer = new RecordingTracer();
  private final RecordingMetrics metrics = new RecordingMetrics();
  private HttpService server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  private HttpService start(Duration drain) throws Exception {
    server = new HttpService("users", "127.0.0.1", 0, drain, tracer, metrics);
    server.route("GET", "/users/{id}", req -> Map.of("id", req.longParam("id")));
    server.route("GET", "/slow", req -> {
      Thread.sleep(700);
      return Map.of("slow", true);
    });
    server.start();
    return server;
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  @Test
  void serverSpansContinueTheCallersTraceWithSemconvAttributesAndRequestMetrics() throws Exception {
    start(Duration.ofSeconds(1));
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    HttpResponse<String> r = DemoProcess.HTTP.send(HttpRequest.newBuilder(url("/users/7"))
        .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"id\":7}");
    assertThat(r.headers().firstValue("X-Trace-Id")).hasValue(traceId);

    // The server records its metrics, then ends its span, after the response is written.
    RecordedSpan span = awaitFinished(SpanKind.SERVER);
    assertThat(span.name).isEqualTo("GET /users/{id}");
    assertThat(span.kind).isEqualTo(SpanKind.SERVER);
    assertThat(span.ids.traceId()).isEqualTo(traceId);
    assertThat(span.parentSpanId).isEqualTo("00f067aa0ba902b7");
    assertThat(span.attributes).containsEntry("http.request.method", "GET")
        .containsEntry("http.route", "/users/{id}")
        .containsEntry("http.response.status_code", 200L)
        .containsEntry("server.port", (long) server.port())
        .containsEntry("url.path", "/users/7");
    assertThat(metrics.value("hyperion_http_server_requests_total", "/users/{id}", "GET", "200")).isEqualTo(1.0);
    assertThat(metrics.count("hyperion_http_server_request_duration_seconds", "/users/{id}", "GET", "200"))
        .isEqualTo(1);
    long idle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (metrics.value("hyperion_http_server_active_requests") != 0.0 && System.nanoTime() < idle) {
      Thread.sleep(10); // decremented once the exchange is closed, just after the span ends
    }
    assertThat(metrics.value("hyperion_http_server_active_requests")).isEqualTo(0.0);

    assertThat(DemoProcess.get(url("/users/x")).statusCode()).isEqualTo(400);
    assertThat(DemoProcess.get(url("/nope")).statusCode()).isEqualTo(404);
    assertThat(metrics.value("hyperion_http_server_requests_total", "unmatched", "GET", "404")).isEqualTo(1.0);
  }

  @Test
  void clientSpansInjectTheirContextSoTheServerSpanIsTheirChild() throws Exception {
    start(Duration.ofSeconds(1));
    Upstream users = new Upstream("users", List.of(URI.create("http://127.0.0.1:" + server.port() + "/")),
        DemoProcess.HTTP, tracer);
    @SuppressWarnings("unchecked")
    Map<String, Object> body = users.get("/users/{id}", "users/3", Map.class);
    assertThat(body).containsEntry("id", 3);
    RecordedSpan client = awaitFinished(SpanKind.CLIENT);
    RecordedSpan serverSpan = awaitFinished(SpanKind.SERVER);
    assertThat(serverSpan.ids.traceId()).isEqualTo(client.ids.traceId());
    assertThat(serverSpan.parentSpanId).isEqualTo(client.ids.spanId());
    assertThat(client.attributes).containsEntry("http.request.method", "GET")
        .containsEntry("url.full", "http://127.0.0.1:" + server.port() + "/users/3")
        .containsEntry("server.address", "127.0.0.1")
        .containsEntry("server.port", (long) server.port())
        .containsEntry("http.response.status_code", 200L);
  }

  /**
   * The first ended span of {@code kind}. The server ends its span after the response is written,
   * so the client can see the answer a moment before the span is recorded: wait for it, bounded.
   */
  private RecordedSpan awaitFinished(SpanKind kind) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      var span = tracer.finished().stream().filter(s -> s.kind == kind).findFirst();
      if (span.isPresent()) {
        return span.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + kind + " span ended within 5 s: " + tracer.finished());
      }
      Thread.sleep(10);
    }
  }

  @Test
  void stoppingFinishesInFlightRequestsAndRefusesNewOnes() throws Exception {
    start(Duration.ofSeconds(5));
    CompletableFuture<HttpResponse<String>> slow = DemoProcess.HTTP.sendAsync(
        HttpRequest.newBuilder(url("/slow")).build(), HttpResponse.BodyHandlers.ofString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (metrics.value("hyperion_http_server_active_requests") < 1 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
      try {
        server.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Thread.sleep(100);
    assertThat(DemoProcess.get(url("/users/1")).statusCode()).as("new request while draining").isEqualTo(503);
    assertThat(slow.get(5, TimeUnit.SECONDS).statusCode()).as("in-flight request").isEqualTo(200);
    stopping.get(5, TimeUnit.SECONDS);
    server = null;
  }
}
