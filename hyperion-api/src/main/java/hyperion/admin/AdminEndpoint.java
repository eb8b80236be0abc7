package hyperion.admin;

import com.sun.net.httpserver.HttpHandler;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An endpoint a module adds to the admin server, with {@code Multibinder.newSetBinder(binder(),
 * AdminEndpoint.class)}. The server answers {@code GET} and {@code HEAD} on exactly {@code path}
 * with {@code handler} (other methods get 405) and closes the exchange afterwards.
 *
 * @param path the absolute path, e.g. {@code /metrics}; not {@code /}, {@code /ready} or under
 *     {@code /health}, which the server keeps for the probes
 * @param handler answers the request (the JDK's {@code com.sun.net.httpserver} API)
 */
public record AdminEndpoint(String path, HttpHandler handler) {

  private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._~/-]*");

  /** Validates the path. */
  public AdminEndpoint {
    Objects.requireNonNull(handler, "handler");
    if (!isAllowed(path)) {
      throw new IllegalArgumentException("admin endpoint path '" + path
          + "': an absolute URL path of [A-Za-z0-9._~/-], other than /, /ready and /health...");
    }
  }

  /** Whether a module may serve {@code path}: absolute, simple, and not one of the probes' paths. */
  public static boolean isAllowed(String path) {
    return path != null && PATH.matcher(path).matches() && !path.equals("/") && !path.equals("/ready")
        && !path.equals("/health") && !path.startsWith("/health/");
  }
}
