package hyperion.examples.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import hyperion.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The demo's command line. Every flag has an environment variable ({@code --jdbc-url} is {@code
 * DEMO_JDBC_URL}). Each service's Hyperion configuration is its own YAML file ({@code
 * hyperion/examples/demo/<service>.yaml} on the class path); a flag given overrides its key there,
 * and {@code HYPERION_<SECTION>__<KEY>} variables override both.
 *
 * @param service which service(s) this process runs: all, gateway, users or orders
 * @param host the address the HTTP and admin servers bind to, or {@code null} for the file's
 * @param port the HTTP port (single-service mode; 0 keeps the file's)
 * @param adminPort the admin (metrics) port (single-service mode; 0 keeps the file's)
 * @param portOffset added to every default port (8080-8083, 9464-9467), to run beside something else
 * @param usersInstances how many users instances the all-in-one mode starts
 * @param usersUrls the users instances the gateway and orders call, round-robin (single-service mode)
 * @param ordersUrls the orders instances the gateway calls (single-service mode)
 * @param redis the Redis address, {@code host:port}, or {@code null} for the file's
 * @param tracing the span exporter (logging, zipkin, otlp, jaeger or none), or {@code null} for the file's
 * @param tracingEndpoint the exporter's endpoint, or {@code null} for the file's
 * @param db the database settings
 * @param gatewayTtl how long the gateway's L1 keeps a hot read, or {@code null} for the file's
 * @param shutdownTimeout the graceful stop deadline per service, or {@code null} for the file's
 */
record DemoOptions(String service, String host, int port, int adminPort, int portOffset, int usersInstances,
    List<URI> usersUrls, List<URI> ordersUrls, String redis, String tracing, String tracingEndpoint, Db db,
    Duration gatewayTtl, Duration shutdownTimeout) {

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

    @Override
    public String toString() {
      return "Db[url=" + Database.redact(url) + ", user=" + user + "]"; // never the password
    }
  }

  static final String USAGE = """
      usage: DemoMain [--service all|gateway|users|orders] [--port N] [--admin-port N] [--host ADDR]
                      [--port-offset N]
                      [--users-instances N] [--users-url URL[,URL...]] [--orders-url URL[,URL...]]
                      [--redis HOST:PORT] [--tracing logging|zipkin|otlp|jaeger|none]
                      [--tracing-endpoint URL] [--jdbc-url URL] [--db-user U] [--db-password P]
                      [--gateway-ttl DURATION] [--shutdown-timeout DURATION]
      Every flag can also be given as an environment variable: --jdbc-url is DEMO_JDBC_URL.""";

  private static final List<String> KNOWN = List.of("service", "host", "port", "admin-port", "port-offset", "users-instances",
      "users-url", "orders-url", "redis", "tracing", "tracing-endpoint", "jdbc-url", "db-user", "db-password",
      "gateway-ttl", "shutdown-timeout");

  /** Parses {@code args}, falling back to {@code DEMO_*} variables in {@code env}, then to defaults. */
  static DemoOptions parse(String[] args, Map<String, String> env) {
    Map<String, String> v = new HashMap<>();
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
    String tracing = v.containsKey("tracing") ? v.get("tracing").toLowerCase(Locale.ROOT) : null;
    if (tracing != null && !List.of("logging", "zipkin", "otlp", "jaeger", "none").contains(tracing)) {
      throw new IllegalArgumentException("--tracing: unrecognized value '" + tracing
          + "'; allowed: logging, zipkin, otlp, jaeger, none");
    }
    String redis = v.get("redis");
    if (redis != null && !redis.matches("(rediss?://)?[^\\s:/]+:\\d{1,5}")) {
      throw new IllegalArgumentException("--redis: '" + redis + "' is not HOST:PORT");
    }
    String host = v.get("host");
    String linkHost = host == null || host.equals("0.0.0.0") ? "127.0.0.1" : host;
    int offset = integer(v, "port-offset", 0);
    if (offset < 0 || offset > 50_000) {
      throw new IllegalArgumentException("--port-offset: " + offset + " is not between 0 and 50000");
    }
    int instances = integer(v, "users-instances", 1);
    if (instances < 1 || instances > 8) {
      throw new IllegalArgumentException("--users-instances: " + instances + " is not between 1 and 8");
    }
    return new DemoOptions(service, host, integer(v, "port", 0), integer(v, "admin-port", 0), offset, instances,
        urls(v.getOrDefault("users-url", "http://" + linkHost + ":" + (8081 + offset))),
        urls(v.getOrDefault("orders-url", "http://" + linkHost + ":" + (8082 + offset))),
        redis, tracing, v.get("tracing-endpoint"),
        new Db(v.getOrDefault("jdbc-url", ""), v.get("db-user"), v.get("db-password")),
        duration(v, "gateway-ttl"), duration(v, "shutdown-timeout"));
  }

  private static int integer(Map<String, String> v, String key, int dflt) {
    String s = v.get(key);
    try {
      return s == null ? dflt : Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + ": '" + s + "' is not a whole number");
    }
  }

  private static Duration duration(Map<String, String> v, String key) {
    String s = v.get(key);
    if (s == null) {
      return null;
    }
    try {
      return Config.parseDuration(s);
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

  /** The address to put in URLs: the bind address, or loopback for the file's default. */
  String linkHost() {
    return host == null || host.equals("0.0.0.0") ? "127.0.0.1" : host;
  }

  /**
   * The configuration of one instance of {@code name}: its YAML file with the keys these options
   * set replaced ({@code port}/{@code adminPort} 0 keep the file's), then the {@code HYPERION_*}
   * overrides of {@code env}; a service without Redis (the gateway) is not given the {@code
   * HYPERION_REDIS__*} ones, which would make its configuration fail on a section it has no module for.
   */
  Config config(String name, int httpPort, int metricsPort, Map<String, String> env) {
    ObjectNode root = bundled(name);
    set(root, "service", "shutdown_timeout", shutdownTimeout == null ? null : shutdownTimeout.toMillis() + "ms");
    set(root, "http", "port", httpPort > 0 ? Integer.toString(httpPort) : null);
    set(root, "http", "host", host);
    set(root, "admin", "port", metricsPort > 0 ? Integer.toString(metricsPort) : null);
    set(root, "admin", "host", host);
    set(root, "tracing", "exporter", tracing);
    set(root, "tracing", "endpoint", tracingEndpoint);
    if (redis != null && root.has("redis")) {
      object(root, "redis").putArray("addresses").add(redis);
    }
    if (gatewayTtl != null && name.equals("gateway")) {
      object(object(root, "cache"), "gateway").put("default_ttl", gatewayTtl.toMillis() + "ms");
    }
    Map<String, String> overrides = root.has("redis") ? env : env.entrySet().stream()
        .filter(e -> !e.getKey().startsWith("HYPERION_REDIS__"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    try {
      return Config.fromYaml(YAML.writeValueAsString(root), overrides);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final YAMLMapper YAML = new YAMLMapper();

  /** The service's own YAML file, from the class path. */
  static ObjectNode bundled(String name) {
    String resource = "/hyperion/examples/demo/" + name + ".yaml";
    try (InputStream in = DemoOptions.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the class path");
      }
      return (ObjectNode) YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  private static void set(ObjectNode root, String section, String key, String value) {
    if (value != null) {
      object(root, section).put(key, value);
    }
  }

  private static ObjectNode object(ObjectNode parent, String name) {
    return parent.get(name) instanceof ObjectNode o ? o : parent.putObject(name);
  }
}
