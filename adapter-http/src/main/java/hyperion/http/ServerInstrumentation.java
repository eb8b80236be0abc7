package hyperion.http;

import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.Metrics;
import hyperion.Span;
import hyperion.SpanKind;
import hyperion.StatusCode;
import hyperion.TextMapGetter;
import hyperion.TraceContext;
import hyperion.Tracer;
import java.util.Map;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Wraps a Jetty handler: one SERVER span per request (parent extracted from the W3C headers, name
 * {@code METHOD route}), the request duration histogram and the active-requests gauge. Requests no
 * handler takes are answered 404 here and exceptions answered through the error handler, so every
 * request is traced and counted.
 */
final class ServerInstrumentation extends Handler.Wrapper {

  static final TextMapGetter<HttpFields> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(HttpFields carrier) {
      return carrier.getFieldNamesCollection();
    }

    @Override
    public String get(HttpFields carrier, String key) {
      return carrier.get(key);
    }
  };

  private final Tracer tracer;
  private final Histogram duration;
  private final Gauge active;
  private final Labels routes;

  ServerInstrumentation(Handler handler, Tracer tracer, Metrics metrics, int maxRoutes) {
    super(handler);
    this.tracer = tracer;
    this.duration = metrics.histogram(HttpInstrumentation.SERVER_DURATION,
        "Duration of HTTP requests served, in seconds, until the response completed", HttpInstrumentation.BUCKETS,
        "method", "route", "status_class");
    this.active = metrics.gauge(HttpInstrumentation.SERVER_ACTIVE, "HTTP requests being served now");
    this.routes = new Labels(maxRoutes, HttpInstrumentation.OTHER_ROUTE);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    long start = System.nanoTime();
    String method = Labels.method(request.getMethod());
    TraceContext parent = tracer.extract(request.getHeaders(), HEADERS);
    HttpURI uri = request.getHttpURI();
    Span span = tracer.spanBuilder(method)
        .kind(SpanKind.SERVER)
        .parent(parent)
        .attribute("http.request.method", method)
        .attribute("url.path", uri.getPath() == null ? "" : uri.getPath())
        .attribute("url.scheme", request.isSecure() ? "https" : "http")
        .attribute("server.address", Request.getServerName(request))
        .attribute("server.port", (long) Request.getServerPort(request))
        .attribute("client.address", Request.getRemoteAddr(request))
        .attribute("network.protocol.version", protocolVersion(request.getConnectionMetaData().getHttpVersion()))
        .start();
    Exchange exchange = new Exchange(callback, request, response, span, method, start);
    try {
      if (!method.equals(request.getMethod())) {
        span.setAttribute("http.request.method_original", request.getMethod());
      }
      String agent = request.getHeaders().get("User-Agent");
      if (agent != null) {
        span.setAttribute("user_agent.original", agent);
      }
      if (span.context().isValid()) {
        response.getHeaders().put(HttpInstrumentation.TRACE_ID_HEADER, span.traceId());
      }
      active.inc();
      if (!super.handle(request, response, exchange)) {
        Response.writeError(request, response, exchange, 404);
      }
    } catch (Exception e) {
      recordFailure(span, e);
      // Answered by the server's error handler: its status (413 for a body over the limit), else 500.
      Response.writeError(request, response, exchange, e);
    } finally {
      exchange.returned();
    }
    return true;
  }

  /**
   * Records {@code e} on the server span: an {@link HttpException} with a 4xx status (a body over
   * the limit, a bad request) is the client's fault, so only its {@code exception} event is added
   * and the status stays unset (the HTTP semantic conventions); anything else is an error.
   */
  private static void recordFailure(Span span, Throwable e) {
    if (e instanceof HttpException h && h.getCode() < 500) {
      span.addEvent("exception", Map.of("exception.type", e.getClass().getName(),
          "exception.message", String.valueOf(e.getMessage())));
    } else {
      span.recordError(e);
    }
  }

  /** The semconv {@code network.protocol.version}: "1.1", not "HTTP/1.1"; no string built per request. */
  static String protocolVersion(HttpVersion version) {
    return switch (version) {
      case HTTP_0_9 -> "0.9";
      case HTTP_1_0 -> "1.0";
      case HTTP_1_1 -> "1.1";
      case HTTP_2 -> "2";
      case HTTP_3 -> "3";
      default -> version.asString().replace("HTTP/", ""); // a version a later Jetty adds
    };
  }

  private String route(Request request) {
    Object explicit = request.getAttribute(HttpInstrumentation.ROUTE_ATTRIBUTE);
    if (explicit instanceof String s && !s.isEmpty()) {
      return routes.bounded(s);
    }
    if (request.getAttribute(PathSpec.class.getName()) instanceof PathSpec spec) {
      return routes.bounded(spec.getDeclaration());
    }
    return null;
  }

  /** The callback the wrapped handler completes: records the outcome once, on whatever thread. */
  private final class Exchange extends Callback.Nested {
    private final Request request;
    private final Response response;
    private final Span span;
    private final String method;
    private final long start;
    private boolean done;

    Exchange(Callback callback, Request request, Response response, Span span, String method, long start) {
      super(callback);
      this.request = request;
      this.response = response;
      this.span = span;
      this.method = method;
      this.start = start;
    }

    @Override
    public void succeeded() {
      finish(null);
      super.succeeded();
    }

    @Override
    public void failed(Throwable failure) {
      finish(failure);
      super.failed(failure);
    }

    private void finish(Throwable failure) {
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
      }
      try {
        int status = response.getStatus();
        if (failure != null && !response.isCommitted()) {
          // Jetty answers a failed callback itself: with the exception's status, else 500.
          status = failure instanceof HttpException h ? h.getCode() : 500;
        }
        String route = route(request);
        String routeLabel = route == null ? HttpInstrumentation.UNMATCHED_ROUTE : route;
        duration.labels(method, routeLabel, Labels.statusClass(status)).observe((System.nanoTime() - start) / 1e9);
        name(route);
        span.setAttribute("http.response.status_code", (long) status);
        if (status >= 500) {
          span.setAttribute("error.type", Integer.toString(status));
          span.setStatus(StatusCode.ERROR, null);
        }
        if (failure != null) {
          recordFailure(span, failure);
        }
      } finally {
        active.dec();
      }
    }

    private void name(String route) {
      if (route != null) {
        span.setAttribute("http.route", route);
        span.updateName(method + " " + route);
      }
    }

    /**
     * On the thread that called {@code handle}, when it returns. The span's scope belongs to this
     * thread, so the span is closed here; a handler that completes later (asynchronously) gets a
     * span that ends now, while the duration metric still waits for the completion.
     */
    void returned() {
      boolean finished;
      synchronized (this) {
        finished = done;
      }
      if (!finished) {
        name(route(request));
      }
      span.close();
    }
  }
}
