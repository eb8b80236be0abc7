package hyperion.examples.demo;

import hyperion.Span;
import hyperion.SpanKind;
import hyperion.StatusCode;
import hyperion.TextMapSetter;
import hyperion.Tracer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A traced HTTP client for one upstream service with a round-robin list of instances. Each call
 * is a CLIENT span (OpenTelemetry HTTP client semantic conventions) whose context is injected as
 * W3C headers; an instance that refuses the connection is skipped for the next one.
 */
final class Upstream {

  private static final TextMapSetter<HttpRequest.Builder> HEADERS = HttpRequest.Builder::setHeader;

  private final String service;
  private final List<URI> instances;
  private final HttpClient client;
  private final Tracer tracer;
  private final AtomicInteger next = new AtomicInteger();

  Upstream(String service, List<URI> instances, HttpClient client, Tracer tracer) {
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("no instance of " + service + " configured");
    }
    this.service = service;
    this.instances = List.copyOf(instances);
    this.client = client;
    this.tracer = tracer;
  }

  /** {@code GET path}, decoded as {@code type}; a 404 upstream is rethrown as a 404. */
  <T> T get(String route, String path, Class<T> type) {
    return send("GET", route, path, null, type);
  }

  /** Sends {@code body} as JSON with {@code method} and decodes the answer as {@code type}. */
  <T> T send(String method, String route, String path, Object body, Class<T> type) {
    IOException last = null;
    for (int attempt = 0; attempt < instances.size(); attempt++) {
      URI base = instances.get(Math.floorMod(next.getAndIncrement(), instances.size()));
      URI url = base.resolve(path);
      try (Span span = tracer.spanBuilder(method + " " + route)
          .kind(SpanKind.CLIENT)
          .attribute("http.request.method", method)
          .attribute("url.full", url.toString())
          .attribute("url.template", route)
          .attribute("server.address", url.getHost())
          .attribute("server.port", (long) url.getPort())
          .attribute("peer.service", service)
          .start()) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5))
            .header("Accept", "application/json");
        if (body == null) {
          request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
          request.header("Content-Type", "application/json")
              .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.write(body)));
        }
        tracer.inject(request, HEADERS);
        HttpResponse<byte[]> response;
        try {
          response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpTimeoutException e) {
          span.recordError(e);
          span.setAttribute("error.type", e.getClass().getName());
          last = e;
          continue; // try the next instance
        } catch (IOException e) {
          span.recordError(e);
          throw new HttpError(502, service + " failed: " + e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new HttpError(503, "interrupted");
        }
        int status = response.statusCode();
        span.setAttribute("http.response.status_code", (long) status);
        if (status >= 400) {
          span.setStatus(StatusCode.ERROR, null);
          span.setAttribute("error.type", Integer.toString(status));
          String message = errorOf(response.body());
          throw new HttpError(status >= 500 ? 502 : status, service + ": " + message);
        }
        return type == Void.class || response.body().length == 0 ? null : Json.read(response.body(), type);
      }
    }
    throw new HttpError(502, "no instance of " + service + " reachable: " + last);
  }

  @SuppressWarnings("unchecked")
  private static String errorOf(byte[] body) {
    try {
      Object error = Json.MAPPER.readValue(body, Map.class).get("error");
      return error == null ? new String(body) : error.toString();
    } catch (IOException | RuntimeException e) {
      return new String(body);
    }
  }
}
