package hyperion.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Hyperion;
import hyperion.Metrics;
import hyperion.SpanKind;
import hyperion.StatusCode;
import hyperion.Tracer;
import hyperion.config.Config;
import hyperion.testkit.RecordingMetrics;
import hyperion.testkit.RecordingTracer;
import hyperion.testkit.RecordingTracer.RecordedSpan;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpModule} on a real Jetty server on loopback, called by the JDK client over real
 * sockets, with the recording tracer and metrics bound to the ports.
 */
class HttpServerTest {
  private static final HttpClient PLAIN = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final RecordingTracer tracer = new RecordingTracer();
  private final RecordingMetrics metrics = new RecordingMetrics();
  private Hyperion app;
  private int port;

  /** Routes: GET /users/{id} echoes, /boom throws, /slow sleeps, /any/... sets the route attribute itself. */
  private Handler routes() {
    PathMappingsHandler routes = new PathMappingsHandler();
    routes.addMapping(new UriTemplatePathSpec("/users/{id}"), handler((req, res, cb) -> {
      String body = "{\"path\":\"" + req.getHttpURI().getPath() + "\"}";
      res.getHeaders().put("Content-Type", "application/json");
      Content.Sink.write(res, true, body, cb);
    }));
    routes.addMapping(new UriTemplatePathSpec("/boom"), handler((req, res, cb) -> {
      throw new IllegalStateException("secret detail from java.sql");
    }));
    routes.addMapping(new UriTemplatePathSpec("/slow"), handler((req, res, cb) -> {
      Thread.sleep(700);
      Content.Sink.write(res, true, "slow", cb);
    }));
    routes.addMapping(new UriTemplatePathSpec("/echo"), handler((req, res, cb) -> {
      byte[] in = Content.Source.asInputStream(req).readAllBytes();
      Content.Sink.write(res, true, Integer.toString(in.length), cb);
    }));
    routes.addMapping(new UriTemplatePathSpec("/raw/{x}"), handler((req, res, cb) -> {
      req.setAttribute(HttpInstrumentation.ROUTE_ATTRIBUTE, req.getHttpURI().getPath()); // a bad route name
      Content.Sink.write(res, true, "raw", cb);
    }));
    return routes;
  }

  @FunctionalInterface
  interface Body {
    void handle(Request request, Response response, Callback callback) throws Exception;
  }

  private static Handler handler(Body body) {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        body.handle(request, response, callback);
        return true;
      }
    };
  }

  @BeforeEach
  void start() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Config config = Config.fromYaml("service:\n  name: users\n  shutdown_timeout: 4s\nhttp:\n  port: " + port
        + "\n  host: 127.0.0.1\n  max_request_body_bytes: 1000\n  max_request_header_bytes: 2048\n");
    app = Hyperion.start(config, new HttpModule(), new AbstractModule() {
      @Override
      protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), Tracer.class).setBinding().toInstance(tracer);
        OptionalBinder.newOptionalBinder(binder(), Metrics.class).setBinding().toInstance(metrics);
      }

      @Provides
      Handler routes() {
        return HttpServerTest.this.routes();
      }
    });
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.stop();
    }
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return PLAIN.send(HttpRequest.newBuilder(url(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void serverSpanContinuesTheCallersTraceNamedByTheRouteTemplateWithMetrics() throws Exception {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    HttpResponse<String> r = PLAIN.send(HttpRequest.newBuilder(url("/users/7"))
        .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").header("User-Agent", "probe/1").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"path\":\"/users/7\"}");
    assertThat(r.headers().firstValue("X-Trace-Id")).hasValue(traceId);

    RecordedSpan span = awaitSpan(SpanKind.SERVER, 1).get(0);
    assertThat(span.name).isEqualTo("GET /users/{id}");
    assertThat(span.ids.traceId()).isEqualTo(traceId);
    assertThat(span.parentSpanId).isEqualTo("00f067aa0ba902b7");
    assertThat(span.attributes).containsEntry("http.request.method", "GET")
        .containsEntry("http.route", "/users/{id}")
        .containsEntry("http.response.status_code", 200L)
        .containsEntry("url.path", "/users/7")
        .containsEntry("url.scheme", "http")
        .containsEntry("server.port", (long) port)
        .containsEntry("client.address", "127.0.0.1")
        .containsEntry("network.protocol.version", "1.1")
        .containsEntry("user_agent.original", "probe/1");
    assertThat(span.status).isEqualTo(StatusCode.UNSET);
    assertThat(metrics.count(HttpInstrumentation.SERVER_DURATION, "GET", "/users/{id}", "2xx")).isEqualTo(1);
    assertThat(metrics.value(HttpInstrumentation.SERVER_ACTIVE)).isEqualTo(0.0);
  }

  @Test
  void unknownPathsAreOneRouteValueAndErrorsAreJsonWithTheTraceIdButNoExceptionText() throws Exception {
    for (String p : List.of("/nope", "/a/b/c", "/users")) {
      HttpResponse<String> r = get(p);
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith(
          "application/json"));
      assertThat(r.body()).startsWith("{\"error\":").contains("\"status\":404")
          .contains("\"trace_id\":\"" + r.headers().firstValue("X-Trace-Id").orElseThrow() + "\"");
    }
    // the span ends after the metrics are recorded, both just after the response is on its way
    assertThat(awaitSpan(SpanKind.SERVER, 3)).extracting(s -> s.name).containsOnly("GET");
    assertThat(metrics.count(HttpInstrumentation.SERVER_DURATION, "GET", "unmatched", "4xx")).isEqualTo(3);

    HttpResponse<String> boom = get("/boom");
    assertThat(boom.statusCode()).isEqualTo(500);
    assertThat(boom.body()).contains("\"error\":\"Server Error\"").doesNotContain("secret", "Exception", "java.");
    RecordedSpan failed = awaitSpan(SpanKind.SERVER, 4).get(3);
    assertThat(failed.name).isEqualTo("GET /boom");
    assertThat(failed.status).isEqualTo(StatusCode.ERROR);
    assertThat(failed.error).isInstanceOf(IllegalStateException.class);
    assertThat(failed.attributes).containsEntry("http.response.status_code", 500L).containsEntry("error.type", "500");
    assertThat(metrics.count(HttpInstrumentation.SERVER_DURATION, "GET", "/boom", "5xx")).isEqualTo(1);
  }

  @Test
  void oddMethodsAndRouteNamesCannotGrowTheSeriesWithoutBound() throws Exception {
    HttpResponse<String> odd = PLAIN.send(HttpRequest.newBuilder(url("/users/1"))
        .method("FROB", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(odd.statusCode()).isEqualTo(200); // the route handler answers any method
    assertThat(awaitSpan(SpanKind.SERVER, 1).get(0).attributes).containsEntry("http.request.method_original", "FROB");
    assertThat(metrics.count(HttpInstrumentation.SERVER_DURATION, "_OTHER", "/users/{id}", "2xx")).isEqualTo(1);

    for (int i = 0; i < HttpInstrumentation.MAX_ROUTES + 20; i++) {
      assertThat(get("/raw/" + i).statusCode()).isEqualTo(200);
    }
    awaitSpan(SpanKind.SERVER, HttpInstrumentation.MAX_ROUTES + 21);
    // /users/{id} took one of the places
    assertThat(metrics.count(HttpInstrumentation.SERVER_DURATION, "GET", "other", "2xx")).isEqualTo(21);
  }

  @Test
  void bodiesOverTheLimitAre413AndHeadersOverTheLimit431() throws Exception {
    HttpResponse<String> ok = PLAIN.send(HttpRequest.newBuilder(url("/echo"))
        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(1000))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ok.body()).isEqualTo("1000");
    HttpResponse<String> big = PLAIN.send(HttpRequest.newBuilder(url("/echo"))
        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(1001))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(big.body()).contains("\"status\":413");
    // chunked, no Content-Length: the limit applies while reading
    HttpResponse<String> chunked = PLAIN.send(HttpRequest.newBuilder(url("/echo"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[5000])))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(chunked.statusCode()).isEqualTo(413);
    List<RecordedSpan> servers = awaitSpan(SpanKind.SERVER, 3);
    // The chunked body failed while read: a 4xx, the client's fault, so an event and no ERROR status.
    RecordedSpan refusedWhileRead = servers.stream()
        .filter(sp -> Long.valueOf(413).equals(sp.attributes.get("http.response.status_code"))
            && "/echo".equals(sp.attributes.get("http.route")))
        .findFirst().orElseThrow();
    assertThat(refusedWhileRead.status).isEqualTo(StatusCode.UNSET);
    assertThat(refusedWhileRead.events).contains("exception");
    // a declared Content-Length over the limit is refused before routing; a chunked body while read
    assertThat(metrics.count(HttpInstrumentation.SERVER_DURATION, "POST", "unmatched", "4xx")).isEqualTo(1);
    assertThat(metrics.count(HttpInstrumentation.SERVER_DURATION, "POST", "/echo", "4xx")).isEqualTo(1);

    String status = rawRequest("GET /users/1 HTTP/1.1\r\nHost: x\r\n" + "X-Filler: y\r\n".repeat(1000) + "\r\n");
    assertThat(status).startsWith("HTTP/1.1 431");
    assertThat(status).contains("\"status\":431");
  }

  @Test
  void clientSpansInjectTheirContextSoTheServerSpanIsTheirChild() throws Exception {
    HttpClient traced = HttpInstrumentation.client(PLAIN, tracer, metrics);
    HttpResponse<String> r = traced.send(HttpRequest.newBuilder(url("/users/3")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    RecordedSpan client = awaitSpan(SpanKind.CLIENT, 1).get(0);
    RecordedSpan server = awaitSpan(SpanKind.SERVER, 1).get(0);
    assertThat(server.ids.traceId()).isEqualTo(client.ids.traceId());
    assertThat(server.parentSpanId).isEqualTo(client.ids.spanId());
    assertThat(client.name).isEqualTo("GET");
    assertThat(client.attributes).containsEntry("http.request.method", "GET")
        .containsEntry("url.full", url("/users/3").toString())
        .containsEntry("server.address", "127.0.0.1")
        .containsEntry("server.port", (long) port)
        .containsEntry("http.response.status_code", 200L);
    String server1 = "127.0.0.1:" + port;
    assertThat(metrics.count(HttpInstrumentation.CLIENT_DURATION, "GET", server1, "2xx")).isEqualTo(1);

    // asynchronously, and a 404 is an error on the client side
    HttpResponse<String> missing = traced.sendAsync(HttpRequest.newBuilder(url("/nope")).build(),
        HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
    assertThat(missing.statusCode()).isEqualTo(404);
    RecordedSpan notFound = awaitSpan(SpanKind.CLIENT, 2).get(1);
    assertThat(notFound.status).isEqualTo(StatusCode.ERROR);
    assertThat(metrics.count(HttpInstrumentation.CLIENT_DURATION, "GET", server1, "4xx")).isEqualTo(1);

    // nothing listens: the failure is recorded, status class "error"
    int dead;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      dead = s.getLocalPort();
    }
    try {
      traced.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dead + "/")).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException expected) {
      // refused
    }
    RecordedSpan refused = awaitSpan(SpanKind.CLIENT, 3).get(2);
    assertThat(refused.error).isInstanceOf(java.net.ConnectException.class);
    assertThat(metrics.count(HttpInstrumentation.CLIENT_DURATION, "GET", "127.0.0.1:" + dead, "error")).isEqualTo(1);
  }

  @Test
  void stoppingFinishesInFlightRequestsAndRefusesNewOnes() throws Exception {
    CompletableFuture<HttpResponse<String>> slow = PLAIN.sendAsync(HttpRequest.newBuilder(url("/slow")).build(),
        HttpResponse.BodyHandlers.ofString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (metrics.value(HttpInstrumentation.SERVER_ACTIVE) < 1 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    try (Socket keepAlive = new Socket(InetAddress.getLoopbackAddress(), port)) {
      keepAlive.setSoTimeout(5000);
      String get = "GET /users/1 HTTP/1.1\r\nHost: x\r\n\r\n";
      keepAlive.getOutputStream().write(get.getBytes(StandardCharsets.US_ASCII));
      assertThat(readResponse(keepAlive.getInputStream())).startsWith("HTTP/1.1 200 ");
      CompletableFuture<Boolean> stopping = CompletableFuture.supplyAsync(app::stop);
      Thread.sleep(200);
      keepAlive.getOutputStream().write(get.getBytes(StandardCharsets.US_ASCII));
      String refused = readResponse(keepAlive.getInputStream());
      assertThat(refused).as("a new request on an open connection while draining").startsWith("HTTP/1.1 503 ")
          .containsIgnoringCase("Connection: close");
      assertThat(slow.get(5, TimeUnit.SECONDS).statusCode()).as("in-flight request").isEqualTo(200);
      assertThat(stopping.get(5, TimeUnit.SECONDS)).as("clean stop").isTrue();
    }
    app = null;
  }

  /** One response's head and as much body as arrived, read from a keep-alive connection. */
  private static String readResponse(InputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      head.append((char) c);
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
    if (length.find()) {
      head.append(new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.US_ASCII));
    }
    return head.toString();
  }

  @Test
  void theBoundClientIsInstrumentedAndAnApplicationsOwnBindingWins() throws Exception {
    HttpClient bound = app.injector().getInstance(HttpClient.class);
    assertThat(bound.send(HttpRequest.newBuilder(url("/users/5")).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode()).isEqualTo(200);
    assertThat(awaitSpan(SpanKind.CLIENT, 1).get(0).attributes).containsEntry("url.full", url("/users/5").toString());

    HttpClient own = HttpClient.newHttpClient();
    try (Hyperion other = Hyperion.start(Config.fromYaml("http:\n  port: 0\n  host: 127.0.0.1\n"), new HttpModule(),
        new AbstractModule() {
          @Override
          protected void configure() {
            OptionalBinder.newOptionalBinder(binder(), HttpClient.class).setBinding().toInstance(own);
          }

          @Provides
          Handler routes() {
            return HttpServerTest.this.routes();
          }
        })) {
      assertThat(other.injector().getInstance(HttpClient.class)).isSameAs(own);
    }
  }

  @Test
  void aPortInUseFailsStartUpNamingTheKey() {
    Config clash = Config.fromYaml("http:\n  port: " + port + "\n  host: 127.0.0.1\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Hyperion.start(clash, new HttpModule(),
        new AbstractModule() {
          @Provides
          Handler routes() {
            return HttpServerTest.this.routes();
          }
        })).hasMessageContaining("http.port").hasMessageContaining(Integer.toString(port));
  }

  /** Sends {@code request} on a raw socket and returns what the server answered. */
  private String rawRequest(String request) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (java.io.IOException e) {
        // the server may answer and close before reading everything
      }
      InputStream in = s.getInputStream();
      return new String(in.readNBytes(4096), StandardCharsets.US_ASCII);
    }
  }

  private List<RecordedSpan> awaitSpan(SpanKind kind, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      List<RecordedSpan> spans = tracer.finished().stream().filter(s -> s.kind == kind).toList();
      if (spans.size() >= count) {
        return spans;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(count + " " + kind + " spans expected within 5 s: " + tracer.finished());
      }
      Thread.sleep(5);
    }
  }
}
