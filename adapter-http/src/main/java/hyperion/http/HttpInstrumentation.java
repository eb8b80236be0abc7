package hyperion.http;

import hyperion.Metrics;
import hyperion.Tracer;
import java.net.http.HttpClient;
import java.util.Objects;
import org.eclipse.jetty.server.Handler;

/**
 * Traces and measures HTTP through the {@link Tracer} and {@link Metrics} ports, so it works with
 * whichever adapters are installed (no-ops by default).
 *
 * <p>Server side, {@link #server} wraps a Jetty 12 {@link Handler}: every request is a SERVER span
 * named {@code METHOD route} (just {@code METHOD} when no route matched) whose parent is extracted
 * from the W3C {@code traceparent}/{@code tracestate} headers, with the OpenTelemetry HTTP server
 * attributes; the response carries the trace id in {@value #TRACE_ID_HEADER}; the histogram
 * {@value #SERVER_DURATION}{@code {method, route, status_class}} and the gauge {@value
 * #SERVER_ACTIVE} measure it. The route is the {@link #ROUTE_ATTRIBUTE} request attribute when the
 * application sets it, else the declaration of the path spec Jetty's {@code PathMappingsHandler}
 * matched, else {@value #UNMATCHED_ROUTE}.
 *
 * <p>Client side, {@link #client} wraps a {@link HttpClient}: every exchange is a CLIENT span
 * named {@code METHOD} with its context injected as W3C headers, measured by {@value
 * #CLIENT_DURATION}{@code {method, server, status_class}}.
 *
 * <pre>{@code
 * Handler traced = HttpInstrumentation.server(routes, ctx.tracer(), ctx.metrics());
 * HttpClient client = HttpInstrumentation.client(HttpClient.newHttpClient(), ctx.tracer(), ctx.metrics());
 * }</pre>
 */
public final class HttpInstrumentation {

  /** The request attribute an application or framework sets to the matched route template, e.g. {@code /users/{id}}. */
  public static final String ROUTE_ATTRIBUTE = "hyperion.http.route";
  /** The response header carrying the trace id of the request's SERVER span. */
  public static final String TRACE_ID_HEADER = "X-Trace-Id";
  /** The {@code route} label of requests that matched no route (unknown paths, 404s). */
  public static final String UNMATCHED_ROUTE = "unmatched";
  /** The {@code route} label once {@link #MAX_ROUTES} distinct routes have been seen. */
  public static final String OTHER_ROUTE = "other";
  /** The {@code server} label once {@link #MAX_ROUTES} distinct servers have been called. */
  public static final String OTHER_SERVER = "other";
  /** How many distinct routes (server) or servers (client) get a label value of their own. */
  public static final int MAX_ROUTES = 100;

  /** Server request duration in seconds. */
  public static final String SERVER_DURATION = "hyperion_http_server_request_duration_seconds";
  /** Server requests in flight. */
  public static final String SERVER_ACTIVE = "hyperion_http_server_active_requests";
  /** Client request duration in seconds. */
  public static final String CLIENT_DURATION = "hyperion_http_client_request_duration_seconds";

  /** Histogram buckets, seconds: from 1 ms (loopback keep-alive requests) to 10 s. */
  static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private HttpInstrumentation() {}

  /**
   * Wraps {@code handler} (install the result outermost, around the routing): requests it does not
   * handle are answered 404, and an exception it throws is answered by the server's error handler
   * (the exception's HTTP status, else 500), so that every request is traced and counted.
   */
  public static Handler server(Handler handler, Tracer tracer, Metrics metrics) {
    return new ServerInstrumentation(Objects.requireNonNull(handler, "handler"), Objects.requireNonNull(tracer,
        "tracer"), Objects.requireNonNull(metrics, "metrics"), MAX_ROUTES);
  }

  /**
   * A client that sends through {@code client} and traces and measures every exchange. {@code
   * sendAsync} runs the exchange on {@code client}'s executor (the common pool if it has none).
   */
  public static HttpClient client(HttpClient client, Tracer tracer, Metrics metrics) {
    return new ClientInstrumentation(Objects.requireNonNull(client, "client"), Objects.requireNonNull(tracer,
        "tracer"), Objects.requireNonNull(metrics, "metrics"), MAX_ROUTES);
  }
}
