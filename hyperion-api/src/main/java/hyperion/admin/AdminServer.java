package hyperion.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import hyperion.Component;
import hyperion.HealthCheck;
import hyperion.lifecycle.Health;
import hyperion.lifecycle.HealthReport;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admin HTTP server (the JDK's {@code HttpServer}, two daemon threads): the probes and the
 * bound {@link AdminEndpoint}s, each on its exact path. Started with the servers, last, and stopped
 * first, so a stopping process turns unready before anything else goes away.
 */
@Singleton
final class AdminServer implements Component {

  private static final Logger LOG = System.getLogger(AdminServer.class.getName());
  /** The JDK HTTP server's switch for TCP_NODELAY on accepted connections. */
  static final String NODELAY = "sun.net.httpserver.nodelay";
  static final String JSON = "application/json; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";

  private final AdminConfig config;
  private final Set<AdminEndpoint> endpoints;
  // Health -> Lifecycle -> the Component set -> this server: a Provider breaks the cycle.
  private final Provider<Health> health;
  private volatile HttpServer server;
  private volatile ExecutorService executor;

  @Inject
  AdminServer(AdminConfig config, Set<AdminEndpoint> endpoints, Provider<Health> health) {
    this.config = config;
    this.endpoints = endpoints;
    this.health = health;
  }

  @Override
  public String name() {
    return "admin-server";
  }

  @Override
  public int phase() {
    return PHASE_SERVERS;
  }

  /** The bound port once started (the configured one), or -1. */
  int port() {
    HttpServer s = server;
    return s == null ? -1 : s.getAddress().getPort();
  }

  @Override
  public synchronized void start() throws IOException {
    Health checks = health.get(); // validates health.groups against the bound checks, server or not
    if (config.port() == 0) {
      LOG.log(Level.INFO, "admin server disabled (admin.port = 0)");
      return;
    }
    if (server != null) {
      return;
    }
    Map<String, HttpHandler> routes = routes(checks);
    InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
    if (address.isUnresolved()) {
      throw new IllegalStateException("admin.host = '" + config.host() + "' does not resolve to an address");
    }
    noDelay();
    HttpServer s;
    try {
      s = HttpServer.create(address, 64);
    } catch (BindException e) {
      throw new IllegalStateException("admin server cannot listen on " + config.host() + ":" + config.port()
          + " (admin.port = " + config.port() + "): " + e.getMessage()
          + "; is another process (or a second instance) using it? Set admin.port to a free port or 0 to disable",
          e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService ex = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "hyperion-admin-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    String list = String.join(" ", routes.keySet());
    // One context for everything: the JDK server matches contexts by prefix, the admin paths are exact.
    s.createContext("/", x -> dispatch(x, routes, list));
    s.setExecutor(ex);
    s.start();
    server = s;
    executor = ex;
    LOG.log(Level.INFO, "admin server listening on http://" + config.host() + ":" + port() + " (" + list + ")");
  }

  /**
   * Turns on TCP_NODELAY for the JDK's HTTP server, which does it only when {@value #NODELAY} is
   * {@code true} as its first server is made: it writes the headers and the body of an answer
   * separately, so without it every keep-alive probe or scrape after the first waits for the
   * client's delayed ACK (about 40 ms on Linux). An explicit setting of the property is left alone.
   */
  static void noDelay() {
    if (System.getProperty(NODELAY) == null) {
      System.setProperty(NODELAY, "true");
    }
  }

  private Map<String, HttpHandler> routes(Health checks) {
    Map<String, HttpHandler> routes = new LinkedHashMap<>();
    for (AdminEndpoint e : endpoints) {
      if (routes.put(e.path(), e.handler()) != null) {
        throw new IllegalStateException("two admin endpoints are bound to " + e.path());
      }
    }
    for (HealthCheck.Group g : HealthCheck.Group.values()) {
      routes.put("/health/" + g.key(), x -> report(x, checks.check(g)));
    }
    routes.put("/health", routes.get("/health/live"));
    routes.put("/ready", routes.get("/health/ready"));
    routes.put("/health/checks", x -> report(x, checks.check()));
    return routes;
  }

  @Override
  public synchronized void stop() {
    HttpServer s = server;
    if (s == null) {
      return;
    }
    server = null;
    s.stop(0); // requests in flight are cut: Prometheus and the probes retry on their next interval
    executor.shutdownNow();
  }

  private static void report(HttpExchange x, HealthReport report) throws IOException {
    respond(x, report.healthy() ? 200 : 503, JSON, report.toJson());
  }

  private static void dispatch(HttpExchange x, Map<String, HttpHandler> routes, String list) throws IOException {
    try {
      String method = x.getRequestMethod();
      HttpHandler handler = routes.get(x.getRequestURI().getPath());
      if (handler == null) {
        respond(x, 404, TEXT, "not found; endpoints: " + list + "\n");
      } else if (!method.equals("GET") && !method.equals("HEAD")) {
        x.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(x, 405, TEXT, "method not allowed\n");
      } else {
        handler.handle(x);
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "admin request " + x.getRequestURI() + " failed", e);
      throw e;
    } finally {
      x.close();
    }
  }

  /** Answers with {@code body} (none for {@code HEAD}), never cached by the client. */
  static void respond(HttpExchange x, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", contentType);
    x.getResponseHeaders().set("Cache-Control", "no-store");
    if (x.getRequestMethod().equals("HEAD")) {
      x.sendResponseHeaders(status, -1);
      return;
    }
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }
}
