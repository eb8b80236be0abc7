package hyperion.examples.demo;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's command line. Every flag has an environment variable ({@code --jdbc-url} is {@code
 * DEMO_JDBC_URL}); the Hyperion sections themselves ({@code tracing}, {@code redis}, ...) are also
 * overridable with {@code HYPERION_<SECTION>__<KEY>}.
 *
 * @param service which service(s) this process runs: all, gateway, users or orders
 * @param host the address the HTTP and admin servers bind to
 * @param port the HTTP port (single-service mode; 0 picks the service's default)
 * @param adminPort the admin (metrics) port (single-service mode; 0 picks the default)
 * @param portOffset added to every default port (8080-8083, 9464-9467), to run beside something else
 * @param usersInstances how many users instances the all-in-one mode starts
 * @param usersUrls the users instances the gateway calls, round-robin (single-service mode)
 * @param ordersUrls the orders instances the gateway calls (single-service mode)
 * @param redis the Redis address, {@code host:port}; {@code none} disables L2
 * @param tracing the span exporter: logging (default), zipkin, otlp, jaeger or none
 * @param tracingEndpoint the exporter's endpoint, empty for its default
 * @param db the database settings
 * @param gatewayTtl how long the gateway's L1 keeps a hot read
 * @param shutdownTimeout the graceful stop deadline per service
 */
record DemoOptions(String service, String host, int port, int adminPort, int portOffset, int usersInstances, List<URI> usersUrls,
    List<URI> ordersUrls, String redis, String tracing, String tracingEndpoint, Db db, Duration gatewayTtl,
    Duration shutdownTimeout) {

  /** Default HTTP ports per service. */
  static final Map<String, Integer> PORTS = Map.of("gateway", 8080, "users", 8081, "orders", 8082);
  /** Default admin ports per service. */
  static final Map<String, Integer> ADMIN_PORTS = Map.of("gateway", 9464, "users", 9465, "orders", 9466);

  /**
   * Database settings; {@code url} empty means an embedded H2 database per service.
   *
   * @param url the JDBC URL, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test}
   * @param user the user, or {@code null}
   * @param password the password, or {@code null}
   */
  record Db(String url, String user, String password) {
    /** These settings for {@code service}: the embedded default gets a database of its own. */
    Db forService(String service) {
      return url.isEmpty() ? new Db("jdbc:h2:mem:" + service + ";DB_CLOSE_DELAY=-1", "sa", "") : this;
    }
  }

  static final String USAGE = """
      usage: DemoMain [--service all|gateway|users|orders] [--port N] [--admin-port N] [--host ADDR]
                      [--port-offset N]
                      [--users-instances N] [--users-url URL[,URL...]] [--orders-url URL[,URL...]]
                      [--redis HOST:PORT|none] [--tracing logging|zipkin|otlp|jaeger|none]
                      [--tracing-endpoint URL] [--jdbc-url URL] [--db-user U] [--db-password P]
                      [--gateway-ttl DURATION] [--shutdown-timeout DURATION]
      Every flag can also be given as an environment variable: --jdbc-url is DEMO_JDBC_URL.""";

  private static final List<String> KNOWN = List.of("service", "host", "port", "admin-port", "port-offset", "users-instances",
      "users-url", "orders-url", "redis", "tracing", "tracing-endpoint", "jdbc-url", "db-user", "db-password",
      "gateway-ttl", "shutdown-timeout");

  /** Parses {@code args}, falling back to {@code DEMO_*} variables in {@code env}, then to defaults. */
  static DemoOptions parse(String[] args, Map<String, String> env) {
    Map<String, String> v = new java.util.HashMap<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      String key = e.getKey().startsWith("DEMO_")
          ? e.getKey().substring(5).toLowerCase(Locale.ROOT).replace('_', '-') : "";
      if (KNOWN.contains(key)) { // other DEMO_ variables (DEMO_LOG_LEVEL) are not options
        v.put(key, e.getValue());
      }
    }
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'\n" + USAGE);
      }
      int eq = a.indexOf('=');
      if (eq > 0) {
        v.put(a.substring(2, eq), a.substring(eq + 1));
      } else if (a.equals("--help")) {
        throw new IllegalArgumentException(USAGE);
      } else if (i + 1 < args.length) {
        v.put(a.substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("missing value for " + a + "\n" + USAGE);
      }
    }
    for (String k : v.keySet()) {
      if (!KNOWN.contains(k)) {
        throw new IllegalArgumentException("unknown option --" + k + "\n" + USAGE);
      }
    }
    String service = v.getOrDefault("service", "all");
    if (!List.of("all", "gateway", "users", "orders").contains(service)) {
      throw new IllegalArgumentException("--service: unrecognized value '" + service
          + "'; allowed: all, gateway, users, orders");
    }
    String tracing = v.getOrDefault("tracing", "logging").toLowerCase(Locale.ROOT);
    if (!List.of("logging", "zipkin", "otlp", "jaeger", "none").contains(tracing)) {
      throw new IllegalArgumentException("--tracing: unrecognized value '" + tracing
          + "'; allowed: logging, zipkin, otlp, jaeger, none");
    }
    String host = v.getOrDefault("host", "127.0.0.1");
    int offset = integer(v, "port-offset", 0);
    if (offset < 0 || offset > 50_000) {
      throw new IllegalArgumentException("--port-offset: " + offset + " is not between 0 and 50000");
    }
    int instances = integer(v, "users-instances", 1);
    if (instances < 1 || instances > 8) {
      throw new IllegalArgumentException("--users-instances: " + instances + " is not between 1 and 8");
    }
    return new DemoOptions(service, host, integer(v, "port", 0), integer(v, "admin-port", 0), offset, instances,
        urls(v.getOrDefault("users-url", "http://" + host + ":" + (8081 + offset))),
        urls(v.getOrDefault("orders-url", "http://" + host + ":" + (8082 + offset))),
        v.getOrDefault("redis", "127.0.0.1:6379"), tracing, v.getOrDefault("tracing-endpoint", ""),
        new Db(v.getOrDefault("jdbc-url", ""), v.get("db-user"), v.get("db-password")),
        duration(v, "gateway-ttl", "2s"), duration(v, "shutdown-timeout", "10s"));
  }

  private static int integer(Map<String, String> v, String key, int dflt) {
    String s = v.get(key);
    try {
      return s == null ? dflt : Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + ": '" + s + "' is not a whole number");
    }
  }

  private static Duration duration(Map<String, String> v, String key, String dflt) {
    String s = v.getOrDefault(key, dflt).trim();
    try {
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      }
      if (s.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
      }
      return Duration.parse(s);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--" + key + ": '" + s + "' is not a duration such as 500ms or 2s");
    }
  }

  private static List<URI> urls(String list) {
    List<URI> out = new ArrayList<>();
    for (String s : Arrays.asList(list.split(","))) {
      if (!s.isBlank()) {
        String u = s.trim();
        out.add(URI.create(u.endsWith("/") ? u : u + "/"));
      }
    }
    return out;
  }

  /** These options with another list of users instances. */
  DemoOptions withUsers(List<URI> users) {
    return new DemoOptions(service, host, port, adminPort, portOffset, usersInstances, users, ordersUrls, redis, tracing,
        tracingEndpoint, db, gatewayTtl, shutdownTimeout);
  }

  /** The Hyperion configuration (YAML) of one service instance. */
  String yaml(String name, int adminPort, boolean withRedis) {
    StringBuilder y = new StringBuilder();
    y.append("service:\n  name: ").append(name).append("\n  shutdown_timeout: ")
        .append(shutdownTimeout.toMillis()).append("ms\n");
    y.append("tracing:\n  exporter: ").append(tracing).append('\n');
    if (!tracingEndpoint.isEmpty()) {
      y.append("  endpoint: \"").append(tracingEndpoint).append("\"\n");
    }
    y.append("  batch:\n    delay: 500ms\n");
    y.append("metrics:\n  port: ").append(adminPort).append("\n  host: \"").append(host).append("\"\n");
    if (withRedis) {
      y.append("redis:\n  addresses: [\"").append(redis).append("\"]\n");
    }
    y.append("cache:\n  default:\n    default_ttl: 5m\n    l2_timeout: 200ms\n");
    y.append("  gateway:\n    layers: l1\n");
    return y.toString();
  }
}
