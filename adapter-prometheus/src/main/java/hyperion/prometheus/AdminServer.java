package hyperion.prometheus;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.fasterxml.jackson.databind.ObjectMapper;
import hyperion.CacheManager;
import hyperion.Component;
import hyperion.HotKey;
import hyperion.lifecycle.Health;
import hyperion.lifecycle.HealthReport;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admin HTTP server: the scrape endpoint, {@code /health} (liveness), {@code /ready}
 * (readiness) and {@code /cache/hotkeys} (each cache's most requested keys). Started with the servers, last, and stopped first, so a stopping process turns
 * unready before anything else goes away.
 */
@Singleton
final class AdminServer implements Component {

  private static final Logger LOG = System.getLogger(AdminServer.class.getName());
  private static final String JSON = "application/json; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final ObjectMapper HOT_KEYS_JSON = new ObjectMapper();

  private final MetricsConfig config;
  private final PrometheusMetrics metrics;
  // Health -> Lifecycle -> the Component set -> this server: a Provider breaks the cycle.
  private final Provider<Health> health;
  /** For {@code /cache/hotkeys}; a member of its own so the constructor stays as it is. */
  @Inject
  private Provider<CacheManager> caches;
  private volatile HttpServer server;
  private volatile ExecutorService executor;

  @Inject
  AdminServer(MetricsConfig config, PrometheusMetrics metrics, Provider<Health> health) {
    this.config = config;
    // Depending on the metrics (not only the registry) makes sure the registry is set up (JVM
    // metrics, bridge) before the first scrape, even if no application code declares a metric.
    this.metrics = metrics;
    this.health = health;
  }

  @Override
  public String name() {
    return "metrics-admin-server";
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
    if (!config.enabled() || config.port() == 0) {
      LOG.log(Level.INFO, "metrics admin server disabled (metrics.enabled = " + config.enabled() + ", metrics.port = "
          + config.port() + ")");
      return;
    }
    if (server != null) {
      return;
    }
    InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
    if (address.isUnresolved()) {
      throw new IllegalStateException("metrics.host = '" + config.host() + "' does not resolve to an address");
    }
    HttpServer s;
    try {
      s = HttpServer.create(address, 64);
    } catch (BindException e) {
      throw new IllegalStateException("metrics admin server cannot listen on " + config.host() + ":" + config.port()
          + " (metrics.port = " + config.port() + "): " + e.getMessage()
          + "; is another process (or a second instance) using it? Set metrics.port to a free port or 0 to disable",
          e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService ex = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "hyperion-metrics-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    MetricsHandler scrape = new MetricsHandler(PrometheusProperties.get(), metrics.registry());
    s.createContext(config.path(), exact(config.path(), scrape));
    s.createContext("/health", exact("/health", x -> respond(x, 200, JSON, "{\"status\":\"UP\"}")));
    s.createContext("/ready", exact("/ready", this::ready));
    s.createContext("/cache/hotkeys", exact("/cache/hotkeys", this::hotKeys));
    s.createContext("/", x -> respond(x, 404, TEXT, "not found; endpoints: " + config.path()
        + " /health /ready /cache/hotkeys\n"));
    s.setExecutor(ex);
    s.start();
    server = s;
    executor = ex;
    LOG.log(Level.INFO, "metrics admin server listening on http://" + config.host() + ":" + port() + " ("
        + config.path() + ", /health, /ready)");
  }

  @Override
  public synchronized void stop() {
    HttpServer s = server;
    if (s == null) {
      return;
    }
    server = null;
    s.stop(0); // scrapes in flight are cut: Prometheus retries on the next interval
    executor.shutdownNow();
  }

  private void ready(HttpExchange x) throws IOException {
    HealthReport report = health.get().check();
    respond(x, report.healthy() ? 200 : 503, JSON, report.toJson());
  }

  /**
   * The most requested keys of each cache with {@code hot_keys}, as JSON ({@code {"users":
   * [{"key": "u1", "requests": 1234}, ...]}}), also logged at INFO: the request is the operator's.
   */
  private void hotKeys(HttpExchange x) throws IOException {
    Map<String, List<HotKey>> top = caches.get().hotKeys();
    top.forEach((cache, keys) -> LOG.log(Level.INFO, "hot keys of cache ''{0}'': {1}", cache, keys));
    respond(x, 200, JSON, HOT_KEYS_JSON.writeValueAsString(top));
  }

  /** The JDK server matches contexts by prefix; the admin endpoints answer their exact path only. */
  private static HttpHandler exact(String path, HttpHandler handler) {
    return x -> {
      try {
        String method = x.getRequestMethod();
        if (!x.getRequestURI().getPath().equals(path)) {
          respond(x, 404, TEXT, "not found\n");
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
    };
  }

  private static void respond(HttpExchange x, int status, String contentType, String body) throws IOException {
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
