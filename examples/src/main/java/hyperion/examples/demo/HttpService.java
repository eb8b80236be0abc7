package hyperion.examples.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import hyperion.Component;
import hyperion.Counter;
import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.Metrics;
import hyperion.Span;
import hyperion.SpanKind;
import hyperion.StatusCode;
import hyperion.TextMapGetter;
import hyperion.TraceContext;
import hyperion.Tracer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service's HTTP server over the JDK {@link HttpServer}, as a {@link Component} in {@link
 * Component#PHASE_SERVERS}: started last, stopped first. Every request gets a SERVER span whose
 * parent is extracted from the W3C headers, the framework request metrics and one JSON log line.
 *
 * <p>Stopping drains: new requests are answered 503 with {@code Connection: close}, in-flight ones
 * finish (up to the drain timeout), then the listener closes.
 */
final class HttpService implements Component {

  private static final Logger LOG = LoggerFactory.getLogger(HttpService.class);

  /** Reads propagation headers from the JDK server's request headers (case-insensitive). */
  static final TextMapGetter<com.sun.net.httpserver.Headers> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(com.sun.net.httpserver.Headers carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(com.sun.net.httpserver.Headers carrier, String key) {
      return carrier.getFirst(key);
    }
  };

  /** Handles one matched request; the result is written as JSON (a {@code null} result is 204). */
  @FunctionalInterface
  interface Handler {
    Object handle(Request request) throws Exception;
  }

  /** A matched request. */
  record Request(String method, String route, String path, Map<String, String> params,
      Map<String, String> query, byte[] body) {

    /** The path parameter {@code name} as a positive long, else 400. */
    long longParam(String name) {
      return parseId(name, params.get(name));
    }

    /** The query parameter {@code name} as a positive long, else 400. */
    long longQuery(String name) {
      return parseId(name, query.get(name));
    }

    private static long parseId(String name, String value) {
      try {
        long v = Long.parseLong(value);
        if (v > 0) {
          return v;
        }
      } catch (NumberFormatException | NullPointerException e) {
        // fall through
      }
      throw new HttpError(400, name + " must be a positive whole number, got '" + value + "'");
    }
  }

  /** A handler result with an explicit status. */
  record Response(int status, Object body) {}

  private record Route(String method, String template, String[] segments, Handler handler) {}

  private final String service;
  private final String host;
  private final int port;
  private final Duration drainTimeout;
  private final Tracer tracer;
  private final List<Route> routes = new ArrayList<>();
  private final Counter requests;
  private final Histogram duration;
  private final Gauge active;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean draining;
  private HttpServer server;
  private ExecutorService executor;

  HttpService(String service, String host, int port, Duration drainTimeout, Tracer tracer, Metrics metrics) {
    this.service = service;
    this.host = host;
    this.port = port;
    this.drainTimeout = drainTimeout;
    this.tracer = tracer;
    this.requests = metrics.counter("hyperion_http_server_requests_total", "HTTP requests served",
        "route", "method", "status");
    this.duration = metrics.histogram("hyperion_http_server_request_duration_seconds",
        "Duration of HTTP requests served, in seconds", "route", "method", "status");
    this.active = metrics.gauge("hyperion_http_server_active_requests", "HTTP requests being served now");
  }

  /** Adds a route; {@code template} segments in braces ({@code /users/{id}}) are parameters. */
  HttpService route(String method, String template, Handler handler) {
    routes.add(new Route(method, template, template.substring(1).split("/"), handler));
    return this;
  }

  @Override
  public String name() {
    return "http-server(" + service + ")";
  }

  @Override
  public int phase() {
    return PHASE_SERVERS;
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  int port() {
    return server == null ? port : server.getAddress().getPort();
  }

  @Override
  public void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 128);
    executor = Executors.newFixedThreadPool(16, r -> {
      Thread t = new Thread(r, service + "-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::exchange);
    server.start();
    LOG.info("{} listening on http://{}:{}", service, host, port());
  }

  @Override
  public void stop() throws InterruptedException {
    if (server == null) {
      return;
    }
    draining = true;
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    int left = inFlight.get();
    server.stop(0);
    executor.shutdown();
    executor.awaitTermination(1, TimeUnit.SECONDS);
    LOG.info("{} HTTP server stopped ({} request(s) still in flight at the deadline)", service, left);
  }

  private void exchange(HttpExchange ex) throws IOException {
    inFlight.incrementAndGet();
    active.inc();
    long start = System.nanoTime();
    try {
      if (draining) {
        ex.getResponseHeaders().set("Connection", "close");
        send(ex, 503, Map.of("error", service + " is shutting down"));
        return;
      }
      handle(ex, start);
    } finally {
      active.dec();
      inFlight.decrementAndGet();
      ex.close();
    }
  }

  private void handle(HttpExchange ex, long start) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getPath();
    Map<String, String> params = new LinkedHashMap<>();
    Route route = match(method, path, params);
    String routeName = route == null ? "unmatched" : route.template;
    TraceContext parent = tracer.extract(ex.getRequestHeaders(), HEADERS);
    int status;
    try (Span span = tracer.spanBuilder(route == null ? method : method + " " + route.template)
        .kind(SpanKind.SERVER)
        .parent(parent)
        .attribute("http.request.method", method)
        .attribute("http.route", routeName)
        .attribute("url.path", path)
        .attribute("url.scheme", "http")
        .attribute("server.address", host)
        .attribute("server.port", (long) port())
        .start()) {
      ex.getResponseHeaders().set("X-Trace-Id", span.traceId());
      Object body;
      try {
        if (route == null) {
          throw new HttpError(404, "no route for " + method + " " + path);
        }
        byte[] in;
        try (InputStream is = ex.getRequestBody()) {
          in = is.readAllBytes();
        }
        Object result = route.handler.handle(new Request(method, route.template, path, params,
            query(ex.getRequestURI().getRawQuery()), in));
        if (result instanceof Response r) {
          status = r.status();
          body = r.body();
        } else {
          status = result == null ? 204 : 200;
          body = result;
        }
      } catch (HttpError e) {
        status = e.status;
        body = Map.of("error", e.getMessage());
      } catch (Exception e) {
        status = 500;
        body = Map.of("error", String.valueOf(e));
        span.recordError(e);
        LOG.error("{} {} failed", method, path, e);
      }
      span.setAttribute("http.response.status_code", (long) status);
      if (status >= 500) {
        span.setStatus(StatusCode.ERROR, null);
      }
      send(ex, status, body);
      double seconds = (System.nanoTime() - start) / 1e9;
      String s = Integer.toString(status);
      requests.labels(routeName, method, s).inc();
      duration.labels(routeName, method, s).observe(seconds);
      LOG.info("{} {} -> {} in {} ms", method, path, status, Math.round(seconds * 1000));
    }
  }

  private Route match(String method, String path, Map<String, String> params) {
    String[] parts = path.length() <= 1 ? new String[] {""} : path.substring(1).split("/", -1);
    for (Route r : routes) {
      if (!r.method.equals(method) || r.segments.length != parts.length) {
        continue;
      }
      Map<String, String> found = new LinkedHashMap<>();
      boolean ok = true;
      for (int i = 0; i < parts.length && ok; i++) {
        String seg = r.segments[i];
        if (seg.startsWith("{") && seg.endsWith("}")) {
          found.put(seg.substring(1, seg.length() - 1), parts[i]);
        } else {
          ok = seg.equals(parts[i]);
        }
      }
      if (ok) {
        params.putAll(found);
        return r;
      }
    }
    return null;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        String k = eq < 0 ? pair : pair.substring(0, eq);
        String v = eq < 0 ? "" : pair.substring(eq + 1);
        q.put(java.net.URLDecoder.decode(k, java.nio.charset.StandardCharsets.UTF_8),
            java.net.URLDecoder.decode(v, java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  private static void send(HttpExchange ex, int status, Object body) throws IOException {
    if (body == null || status == 204) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    byte[] bytes = Json.write(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }
}
