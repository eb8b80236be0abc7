package hyperion.examples.demo;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream service with a round-robin list of instances, called through the instrumented
 * {@link HttpClient} of {@code HttpModule} (each call a CLIENT span with the W3C context injected).
 * An instance that cannot be connected to is skipped for the next one (the request was not sent,
 * so even a POST is safe to retry); an upstream 4xx is rethrown with its status and message, a 5xx
 * or no answer is a 502.
 */
final class Upstream {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final String service;
  private final List<URI> instances;
  private final HttpClient client;
  private final AtomicInteger next = new AtomicInteger();

  Upstream(String service, List<URI> instances, HttpClient client) {
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("no instance of " + service + " configured");
    }
    this.service = service;
    this.instances = List.copyOf(instances);
    this.client = client;
  }

  /** {@code GET path}, decoded as {@code type}. */
  <T> T get(String path, Class<T> type) {
    return send("GET", path, null, type);
  }

  /** Sends the JSON {@code body} (or none) with {@code method} and decodes the answer as {@code type}. */
  <T> T send(String method, String path, byte[] body, Class<T> type) {
    for (int attempt = 0; attempt < instances.size(); attempt++) {
      URI url = instances.get(Math.floorMod(next.getAndIncrement(), instances.size())).resolve(path);
      HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(TIMEOUT).header("Accept", "application/json");
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
      }
      HttpResponse<byte[]> response;
      try {
        response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (ConnectException | HttpConnectTimeoutException e) {
        continue; // not sent: try the next instance
      } catch (IOException e) {
        throw new HttpError(502, service + " did not answer");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HttpError(503, "interrupted");
      }
      int status = response.statusCode();
      if (status >= 400) {
        throw new HttpError(status >= 500 ? 502 : status, status >= 500 ? service + " failed (" + status + ")"
            : errorOf(response.body()));
      }
      return response.body().length == 0 ? null : read(response.body(), type);
    }
    throw new HttpError(502, "no instance of " + service + " reachable (" + instances.size() + " tried)");
  }

  private <T> T read(byte[] body, Class<T> type) {
    try {
      return Json.MAPPER.readValue(body, type);
    } catch (IOException e) {
      throw new HttpError(502, service + " answered malformed JSON");
    }
  }

  private static String errorOf(byte[] body) {
    try {
      Object error = Json.MAPPER.readValue(body, Map.class).get("error");
      return error == null ? "upstream error" : error.toString();
    } catch (IOException | RuntimeException e) {
      return "upstream error";
    }
  }
}
