package hyperion.http;

import hyperion.Histogram;
import hyperion.Metrics;
import hyperion.Span;
import hyperion.SpanKind;
import hyperion.StatusCode;
import hyperion.TextMapSetter;
import hyperion.Tracer;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A {@link HttpClient} that sends through another one: each exchange is a CLIENT span whose context
 * is injected as W3C headers, and an observation of the client duration histogram. Settings
 * (timeouts, proxy, TLS, version) are the delegate's.
 */
final class ClientInstrumentation extends HttpClient {

  private static final TextMapSetter<HttpRequest.Builder> HEADERS = HttpRequest.Builder::setHeader;

  private final HttpClient delegate;
  private final Tracer tracer;
  private final Histogram duration;
  private final Labels servers;

  ClientInstrumentation(HttpClient delegate, Tracer tracer, Metrics metrics, int maxServers) {
    this.delegate = delegate;
    this.tracer = tracer;
    this.duration = metrics.histogram(HttpInstrumentation.CLIENT_DURATION,
        "Duration of HTTP requests sent, in seconds, until the response headers arrived (or the failure)",
        HttpInstrumentation.BUCKETS, "method", "server", "status_class");
    this.servers = new Labels(maxServers, HttpInstrumentation.OTHER_SERVER);
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    String method = Labels.method(request.method());
    URI uri = request.uri();
    int port = port(uri);
    String server = servers.bounded(uri.getHost() + ":" + port);
    try (Span span = tracer.spanBuilder(method)
        .kind(SpanKind.CLIENT)
        .attribute("http.request.method", method)
        .attribute("url.full", redacted(uri))
        .attribute("server.address", String.valueOf(uri.getHost()))
        .attribute("server.port", (long) port)
        .start()) {
      HttpRequest.Builder traced = HttpRequest.newBuilder(request, (name, value) -> true);
      tracer.inject(traced, HEADERS);
      HttpResponse<T> response;
      try {
        response = delegate.send(traced.build(), handler);
      } catch (IOException | RuntimeException e) {
        failed(span, e, method, server, start);
        throw e;
      } catch (InterruptedException e) {
        failed(span, e, method, server, start);
        throw e;
      }
      int status = response.statusCode();
      span.setAttribute("http.response.status_code", (long) status);
      if (status >= 400) {
        span.setAttribute("error.type", Integer.toString(status));
        span.setStatus(StatusCode.ERROR, null);
      }
      duration.labels(method, server, Labels.statusClass(status)).observe((System.nanoTime() - start) / 1e9);
      return response;
    }
  }

  private void failed(Span span, Exception e, String method, String server, long start) {
    span.setAttribute("error.type", e.getClass().getName());
    span.recordError(e);
    duration.labels(method, server, Labels.statusClass(0)).observe((System.nanoTime() - start) / 1e9);
  }

  /**
   * Runs {@link #send} on the delegate's executor (the common pool when it has none) with the
   * caller's span, because the {@link Span} port ties a span's scope to the thread that started it.
   */
  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
      HttpResponse.BodyHandler<T> handler) {
    Executor executor = delegate.executor().orElse(ForkJoinPool.commonPool());
    return CompletableFuture.supplyAsync(() -> {
      try {
        return send(request, handler);
      } catch (IOException e) {
        throw new CompletionException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CompletionException(e);
      }
    }, tracer.wrap(executor));
  }

  /** Server push is HTTP/2 only and bypasses tracing: the exchange is delegated untraced. */
  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
      HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
    return pushPromiseHandler == null ? sendAsync(request, handler)
        : delegate.sendAsync(request, handler, pushPromiseHandler);
  }

  private static int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  /** The URL without user info, which may hold credentials. */
  private static String redacted(URI uri) {
    if (uri.getRawUserInfo() == null) {
      return uri.toString();
    }
    return uri.toString().replace(uri.getRawUserInfo() + "@", "REDACTED:REDACTED@");
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }

  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    return delegate.newWebSocketBuilder();
  }

  @Override
  public String toString() {
    return "traced " + delegate;
  }
}
