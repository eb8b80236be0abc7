package hyperion.examples.demo;

import com.google.inject.Module;
import hyperion.Hyperion;
import hyperion.admin.AdminConfig;
import hyperion.caffeine.CaffeineModule;
import hyperion.config.Config;
import hyperion.http.HttpConfig;
import hyperion.http.HttpModule;
import hyperion.lifecycle.Health;
import hyperion.lifecycle.HealthReport;
import hyperion.otel.OtelModule;
import hyperion.otel.TracingConfig;
import hyperion.prometheus.PrometheusModule;
import hyperion.redis.RedisConfig;
import hyperion.redis.RedisModule;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Starts the observability demo: by default all three services in this JVM ({@code gateway} on
 * 8080, {@code users} on 8081, {@code orders} on 8082), or one of them with {@code --service}. Each
 * service is its own Hyperion application ({@link Hyperion#runAll}): its own configuration file,
 * injector and lifecycle, with {@code OtelModule}, {@code CaffeineModule}, {@code RedisModule}
 * (users and orders; while Redis is down they serve uncached and {@code /ready} says so), {@code
 * PrometheusModule}, {@code HttpModule} and its own module. One SIGTERM or SIGINT stops them all
 * (gateway first), and the process exits 0 after a clean stop.
 */
public final class DemoMain {

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
    Hyperion.runAll(applications(options, System.getenv(), System.out));
  }

  /** One service instance to start: which, its configuration and its modules. */
  record Instance(String service, Config config, List<Module> modules) {
    Hyperion start() {
      return Hyperion.start(config, modules.toArray(Module[]::new));
    }
  }

  /** The instances {@code options} asks for, backends first, gateway last. */
  static List<Instance> instances(DemoOptions options, Map<String, String> env) {
    List<Instance> out = new ArrayList<>();
    if (options.service().equals("all")) {
      int o = options.portOffset();
      List<URI> users = new ArrayList<>();
      for (int i = 0; i < options.usersInstances(); i++) {
        int port = (i == 0 ? 8081 : 8082 + i) + o;
        out.add(instance(options, env, "users", port, (i == 0 ? 9465 : 9466 + i) + o));
        users.add(URI.create("http://" + options.linkHost() + ":" + port + "/"));
      }
      DemoOptions wired = options.withUsers(users);
      out.add(instance(wired, env, "orders", 8082 + o, 9466 + o));
      out.add(instance(wired, env, "gateway", 8080 + o, 9464 + o));
    } else {
      String s = options.service();
      int port = options.port() > 0 ? options.port() : options.portOffset() > 0 ? DemoOptions.PORTS.get(s)
          + options.portOffset() : 0;
      int admin = options.adminPort() > 0 ? options.adminPort() : options.portOffset() > 0
          ? DemoOptions.ADMIN_PORTS.get(s) + options.portOffset() : 0;
      out.add(instance(options, env, s, port, admin));
    }
    return out;
  }

  private static Instance instance(DemoOptions options, Map<String, String> env, String service, int port,
      int admin) {
    Config config = options.config(service, port, admin, env);
    List<Module> modules = new ArrayList<>(List.of(new OtelModule(), new CaffeineModule(), new PrometheusModule(),
        new HttpModule()));
    switch (service) {
      case "users" -> {
        modules.add(new RedisModule());
        modules.add(new UsersModule(options.db()));
      }
      case "orders" -> {
        modules.add(new RedisModule());
        modules.add(new OrdersModule(options.db(), options.usersUrls()));
      }
      default -> modules.add(new GatewayModule(options.usersUrls(), options.ordersUrls()));
    }
    return new Instance(service, config, modules);
  }

  /** What {@link Hyperion#runAll} starts: every instance, the last one printing the banner once all are up. */
  static List<Callable<Hyperion>> applications(DemoOptions options, Map<String, String> env, PrintStream out) {
    List<Instance> instances = instances(options, env);
    List<Hyperion> started = new ArrayList<>();
    List<Callable<Hyperion>> calls = new ArrayList<>();
    for (int i = 0; i < instances.size(); i++) {
      Instance instance = instances.get(i);
      boolean last = i == instances.size() - 1;
      calls.add(() -> {
        Hyperion app = instance.start();
        started.add(app);
        if (last) {
          banner(out, instances, started);
        }
        return app;
      });
    }
    return calls;
  }

  private static void banner(PrintStream out, List<Instance> instances, List<Hyperion> apps) {
    StringBuilder b = new StringBuilder("\n=== Hyperion observability demo is up ===\n");
    String gateway = null;
    String redis = null;
    String tracing = "";
    for (Instance i : instances) {
      HttpConfig http = i.config().section("http", HttpConfig.class, HttpConfig.DEFAULTS);
      AdminConfig admin = i.config().section("admin", AdminConfig.class, AdminConfig.DEFAULTS);
      String host = http.host().equals("0.0.0.0") ? "127.0.0.1" : http.host();
      String url = "http://" + host + ":" + http.port();
      b.append(String.format("  %-8s %s   admin: http://%s:%d/metrics  /health/live  /health/ready%n", i.service(),
          url, host, admin.port()));
      if (i.service().equals("gateway") || gateway == null) {
        gateway = url;
      }
      if (!i.service().equals("gateway")) {
        redis = String.join(",", i.config().section("redis", RedisConfig.class, RedisConfig.DEFAULTS).addresses());
      }
      TracingConfig t = i.config().section("tracing", TracingConfig.class, TracingConfig.DEFAULTS);
      tracing = t.exporter().name().toLowerCase(java.util.Locale.ROOT) + (t.endpoint() == null || t.endpoint().isBlank() ? "" : " -> "
          + t.endpoint());
    }
    if (redis != null) {
      String state = redisState(apps);
      b.append("  caches : L1 Caffeine + L2 Redis at ").append(redis).append(": ").append(state).append('\n');
      if (!state.startsWith("UP")) {
        b.append("WARNING: Redis at ").append(redis).append(" is not reachable: users and orders serve from their")
            .append(" databases (and from L1, each copy kept at most redis.coherence_timeout once the invalidation bus stops answering), uncached")
            .append(" across instances, and /ready answers 503 (check \"redis\") until it")
            .append(" is back; they connect by themselves then. Start redis-server or pass --redis HOST:PORT.\n");
      }
    }
    b.append("  traces : exporter ").append(tracing).append(tracing.startsWith("logging")
        ? " (span lines in this log, logger hyperion.otel.spans)" : "").append('\n');
    b.append("Try:\n")
        .append("  curl -s ").append(gateway).append("/users/1\n")
        .append("  curl -s ").append(gateway).append("/users/1/orders\n")
        .append("  curl -s -X PUT -H 'Content-Type: application/json' -d '{\"name\":\"Ada King\",")
        .append("\"email\":\"ada@example.org\"}' ").append(gateway).append("/users/1\n")
        .append("  curl -s -X POST -H 'Content-Type: application/json' -d '{\"userId\":1,\"item\":\"book\",")
        .append("\"amount\":19.99}' ").append(gateway).append("/orders\n")
        .append("Stop with Ctrl-C or SIGTERM. Walkthrough: docs/demo.md\n");
    out.println(b);
    out.flush();
  }

  /** The {@code redis} check of the first application that has one, after at most 2 s of connecting. */
  private static String redisState(List<Hyperion> apps) {
    for (Hyperion app : apps) {
      if (app.injector().findBindingsByType(com.google.inject.TypeLiteral.get(RedisConfig.class)).isEmpty()) {
        continue;
      }
      Health health = app.injector().getInstance(Health.class);
      long deadline = System.nanoTime() + 2_000_000_000L;
      HealthReport.Check redis = null;
      while (System.nanoTime() < deadline) {
        redis = health.check().checks().stream().filter(c -> c.name().equals("redis")).findFirst().orElse(null);
        if (redis == null || redis.healthy()) {
          break;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      return redis == null ? "unknown" : (redis.healthy() ? "UP" : "DOWN") + " (" + redis.message() + ")";
    }
    return "unknown";
  }
}
