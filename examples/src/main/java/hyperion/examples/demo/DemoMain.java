package hyperion.examples.demo;

import com.google.inject.Module;
import hyperion.Hyperion;
import hyperion.config.Config;
import hyperion.prometheus.PrometheusModule;
import hyperion.caffeine.CaffeineModule;
import hyperion.otel.OtelModule;
import hyperion.redis.RedisModule;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the observability demo: by default all three services in this JVM ({@code gateway} on
 * 8080, {@code users} on 8081, {@code orders} on 8082), or one of them with {@code --service}. Each
 * service is its own injector with {@code HyperionModule}, {@code OtelModule}, {@code
 * CaffeineModule}, {@code RedisModule} (only when Redis answers a PING), {@code PrometheusModule}
 * and its own module. SIGTERM or SIGINT stops the services (gateway first), and the process exits 0
 * after a clean stop.
 */
public final class DemoMain {

  private static final Logger LOG = LoggerFactory.getLogger(DemoMain.class);

  private DemoMain() {}

  /**
   * Runs the demo until SIGTERM or SIGINT; see {@code docs/demo.md} for the options.
   *
   * @param args command-line options, e.g. {@code --service users --port 8083}
   */
  public static void main(String[] args) {
    // JUL and System.Logger (used by hyperion-api and some adapters) into SLF4J, so every line is JSON.
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    DemoOptions options;
    try {
      options = DemoOptions.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(64);
      return;
    }
    List<Running> running = new ArrayList<>();
    try {
      running.addAll(start(options, System.getenv()));
    } catch (RuntimeException e) {
      System.err.println("demo: start-up failed: " + e.getMessage());
      LOG.error("start-up failed", e);
      stopAll(running);
      System.exit(Hyperion.EXIT_START_FAILED);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean clean = new AtomicBoolean(true);
    AtomicBoolean once = new AtomicBoolean();
    Runnable shutdown = () -> {
      if (once.compareAndSet(false, true)) {
        LOG.info("stopping {} service(s)", running.size());
        clean.set(stopAll(running));
        stopped.countDown();
      }
    };
    for (String signal : List.of("TERM", "INT")) {
      sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
        Thread t = new Thread(shutdown, "demo-shutdown");
        t.start();
      });
    }
    banner(System.out, options, running);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("stopped {}", clean.get() ? "cleanly" : "with errors");
    System.exit(clean.get() ? 0 : Hyperion.EXIT_UNCLEAN_STOP);
  }

  /** One started service instance. */
  record Running(String service, int port, int adminPort, boolean l2, Hyperion app) {}

  /** Starts the services {@code options} asks for; backends first, gateway last. */
  static List<Running> start(DemoOptions options, Map<String, String> env) {
    boolean redis = !options.redis().equalsIgnoreCase("none") && RedisProbe.reachable(options.redis(), 500);
    if (!redis) {
      String why = options.redis().equalsIgnoreCase("none") ? "disabled with --redis none"
          : "Redis at " + options.redis() + " did not answer PING";
      LOG.warn("L2 cache OFF: {}; caches are L1-only (Caffeine) and instances are not kept coherent", why);
      System.err.println("WARNING: " + why + " -> running with L1 (in-process) caches only."
          + " Start Redis (redis-server) or pass --redis HOST:PORT for the L2 cache.");
    }
    List<Running> out = new ArrayList<>();
    boolean all = options.service().equals("all");
    if (all) {
      List<URI> urls = new ArrayList<>();
      for (int i = 0; i < options.usersInstances(); i++) {
        int port = (i == 0 ? 8081 : 8082 + i) + options.portOffset();
        int admin = (i == 0 ? 9465 : 9466 + i) + options.portOffset();
        out.add(startOne(options, env, redis, "users", port, admin));
        urls.add(URI.create("http://" + options.host() + ":" + port + "/"));
      }
      int o = options.portOffset();
      out.add(startOne(options, env, redis, "orders", 8082 + o, 9466 + o));
      out.add(startOne(options.withUsers(urls), env, redis, "gateway", 8080 + o, 9464 + o));
    } else {
      String s = options.service();
      int port = options.port() > 0 ? options.port() : DemoOptions.PORTS.get(s) + options.portOffset();
      int admin = options.adminPort() > 0 ? options.adminPort() : DemoOptions.ADMIN_PORTS.get(s) + options.portOffset();
      out.add(startOne(options, env, redis, s, port, admin));
    }
    return out;
  }

  private static Running startOne(DemoOptions options, Map<String, String> env, boolean redis, String service,
      int port, int admin) {
    Config config = Config.fromYaml(options.yaml(service, admin, redis), env);
    List<Module> modules = new ArrayList<>();
    modules.add(new OtelModule());
    modules.add(new CaffeineModule());
    if (redis) {
      modules.add(new RedisModule());
    }
    modules.add(new PrometheusModule());
    modules.add(switch (service) {
      case "users" -> new UsersModule(options, port);
      case "orders" -> new OrdersModule(options, port);
      default -> new GatewayModule(options, port, options.usersUrls(), options.ordersUrls());
    });
    Hyperion app = Hyperion.start(config, modules.toArray(Module[]::new));
    return new Running(service, port, admin, redis, app);
  }

  /** Stops in reverse start order (gateway first); returns whether every stop was clean. */
  static boolean stopAll(List<Running> running) {
    boolean clean = true;
    for (int i = running.size() - 1; i >= 0; i--) {
      clean &= running.get(i).app().stop();
    }
    return clean;
  }

  private static void banner(PrintStream out, DemoOptions o, List<Running> running) {
    String h = o.host();
    StringBuilder b = new StringBuilder("\n=== Hyperion observability demo is up ===\n");
    for (Running r : running) {
      b.append(String.format("  %-8s http://%s:%d   admin: http://%s:%d/metrics  /health  /ready%n", r.service(), h,
          r.port(), h, r.adminPort()));
    }
    boolean l2 = running.stream().anyMatch(Running::l2);
    b.append("  caches : ").append(l2 ? "L1 Caffeine + L2 Redis at " + o.redis() + " (coherent across instances)"
        : "L1 Caffeine only (no Redis)").append('\n');
    b.append("  traces : exporter '").append(o.tracing()).append('\'')
        .append(o.tracing().equals("logging") ? " (span lines in this log, logger hyperion.otel.spans)" : "")
        .append(o.tracingEndpoint().isEmpty() ? "" : " -> " + o.tracingEndpoint()).append('\n');
    int gw = running.stream().filter(r -> r.service().equals("gateway")).mapToInt(Running::port).findFirst()
        .orElse(8080);
    b.append("Try:\n")
        .append("  curl -s http://").append(h).append(':').append(gw).append("/users/1\n")
        .append("  curl -s http://").append(h).append(':').append(gw).append("/users/1/orders\n")
        .append("  curl -s -X PUT -H 'Content-Type: application/json' -d '{\"name\":\"Ada King\",")
        .append("\"email\":\"ada@example.org\"}' http://").append(h).append(':').append(gw).append("/users/1\n")
        .append("  curl -s -X POST -H 'Content-Type: application/json' -d '{\"userId\":1,\"item\":\"book\",")
        .append("\"amount\":19.99}' http://").append(h).append(':').append(gw).append("/orders\n")
        .append("  curl -s http://").append(h).append(':').append(9464 + o.portOffset())
        .append("/metrics | grep hyperion_http_server\n")
        .append("Stop with Ctrl-C or SIGTERM. Walkthrough: docs/demo.md\n");
    out.println(b);
    out.flush();
  }
}
