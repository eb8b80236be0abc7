package hyperion.examples.demo;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's JSON endpoints on Jetty: one {@link UriTemplatePathSpec} per path template in
 * Jetty's {@link PathMappingsHandler} (so the instrumentation labels requests with the template),
 * each answering its methods, HEAD for GET, and 405 with {@code Allow} for the others. Bodies must be
 * {@code application/json} (else 415); their size is capped by the server (413). An endpoint's
 * {@link HttpError} becomes a JSON error answer; any other exception a 500 without details.
 */
final class Routes {
  private static final Logger LOG = LoggerFactory.getLogger(Routes.class);
  private static final byte[] NONE = new byte[0];

  /** Handles one matched request; the result is written as JSON (a {@code null} result is 204). */
  @FunctionalInterface
  interface Endpoint {
    Object handle(Call call) throws Exception;
  }

  /** A result with an explicit status. */
  record Reply(int status, Object body) {}

  /** A matched request: its path parameters, query and body. */
  record Call(Request request, Map<String, String> params, byte[] body) {

    /** The path parameter {@code name} as a positive long, else 400. */
    long longParam(String name) {
      return positive(name, params.get(name));
    }

    /** The query parameter {@code name} as a positive long, else 400. */
    long longQuery(String name) {
      Fields query = Request.extractQueryParameters(request);
      return positive(name, query.getValue(name));
    }

    /** The body as {@code type}; 400 when it is not a JSON object of that shape. */
    <T> T json(Class<T> type) {
      return Json.read(body, type);
    }

    private static long positive(String name, String value) {
      try {
        long v = Long.parseLong(value);
        if (v > 0) {
          return v;
        }
      } catch (NumberFormatException e) {
        // fall through: also null and values past Long.MAX_VALUE
      }
      throw new HttpError(400, name + " must be a positive whole number");
    }
  }

  private final Map<String, Map<String, Endpoint>> templates = new LinkedHashMap<>();

  Routes get(String template, Endpoint endpoint) {
    return add("GET", template, endpoint);
  }

  Routes put(String template, Endpoint endpoint) {
    return add("PUT", template, endpoint);
  }

  Routes post(String template, Endpoint endpoint) {
    return add("POST", template, endpoint);
  }

  private Routes add(String method, String template, Endpoint endpoint) {
    templates.computeIfAbsent(template, t -> new LinkedHashMap<>()).put(method, endpoint);
    return this;
  }

  /** The Jetty handler serving these routes. */
  Handler handler() {
    PathMappingsHandler mappings = new PathMappingsHandler();
    templates.forEach((template, methods) -> {
      UriTemplatePathSpec spec = new UriTemplatePathSpec(template);
      mappings.addMapping(spec, new Resource(spec, Map.copyOf(methods), allow(methods)));
    });
    return mappings;
  }

  private static String allow(Map<String, Endpoint> methods) {
    StringBuilder allow = new StringBuilder();
    for (String m : methods.keySet()) {
      allow.append(allow.length() == 0 ? "" : ", ").append(m);
      if (m.equals("GET")) {
        allow.append(", HEAD");
      }
    }
    return allow.toString();
  }

  /** One path template's methods. */
  private static final class Resource extends Handler.Abstract {
    private final UriTemplatePathSpec spec;
    private final Map<String, Endpoint> methods;
    private final String allow;

    Resource(UriTemplatePathSpec spec, Map<String, Endpoint> methods, String allow) {
      this.spec = spec;
      this.methods = methods;
      this.allow = allow;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String method = request.getMethod();
      boolean head = method.equals("HEAD");
      Endpoint endpoint = methods.get(head ? "GET" : method);
      long start = System.nanoTime();
      int status;
      try {
        if (endpoint == null) {
          response.getHeaders().put(HttpHeader.ALLOW, allow);
          throw new HttpError(405, method + " is not allowed here; allowed: " + allow);
        }
        byte[] body = NONE;
        if (method.equals("POST") || method.equals("PUT")) {
          requireJson(request);
          body = Content.Source.asInputStream(request).readAllBytes(); // over the limit: 413
        }
        Object result = endpoint.handle(new Call(request, spec.getPathParams(request.getHttpURI().getPath()), body));
        Object payload = result instanceof Reply r ? r.body() : result;
        status = result instanceof Reply r ? r.status() : result == null ? 204 : 200;
        response.setStatus(status);
        if (payload == null) {
          response.write(true, null, callback);
        } else {
          byte[] json = Json.write(payload);
          response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
          response.getHeaders().put(HttpHeader.CONTENT_LENGTH, json.length);
          response.write(true, head ? null : ByteBuffer.wrap(json), callback);
        }
      } catch (HttpError e) {
        status = e.status;
        Response.writeError(request, response, callback, e.status, e.getMessage());
      } catch (RuntimeException e) {
        if (org.eclipse.jetty.http.HttpException.asHttpException(e) == null) {
          LOG.error("{} {} failed", method, request.getHttpURI().getPath(), e);
        }
        throw e; // answered by the server: the exception's HTTP status, else 500 without details
      }
      LOG.info("{} {} -> {} in {} ms", method, request.getHttpURI().getPath(), status,
          (System.nanoTime() - start) / 1_000_000);
      return true;
    }

    private static void requireJson(Request request) {
      String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
      String base = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      if (!base.equals("application/json")) {
        throw new HttpError(415, "Content-Type must be application/json, got " + (type == null ? "none"
            : "'" + type + "'"));
      }
    }
  }
}
