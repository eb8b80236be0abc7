package hyperion.examples.load;

import hyperion.otel.testkit.ZipkinServer;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.LoopbackPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The whole demo as an operator runs it, on free loopback ports: a real Zipkin server, a real
 * {@code redis-server}, and {@code users}, {@code orders} and {@code gateway} each in its own JVM
 * started through the demo's public command line ({@code DemoMain --service ...}), exporting spans
 * to that Zipkin. Started once per test run and shared by every test that asks for a {@code
 * DemoStack} parameter ({@code @ExtendWith(DemoStack.Resolver.class)}); stopped with SIGTERM at the
 * end. Logs go to {@code target/demo-stack/}.
 */
public final class DemoStack implements ExtensionContext.Store.CloseableResource {

  /** Injects the shared stack. */
  public static final class Resolver implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
      return p.getParameter().getType() == DemoStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
      return c.getRoot().getStore(ExtensionContext.Namespace.create(DemoStack.class))
          .getOrComputeIfAbsent("stack", k -> start(), DemoStack.class);
    }
  }

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<Process> processes = new ArrayList<>();
  private final Map<String, Integer> ports = new LinkedHashMap<>();
  private final Map<String, Integer> adminPorts = new LinkedHashMap<>();
  private final Path logs = Path.of("target", "demo-stack");
  private RedisServers redis;
  private final ZipkinServer zipkin = new ZipkinServer();
  private boolean closed;

  private DemoStack() {}

  static DemoStack start() {
    DemoStack s = new DemoStack();
    try {
      s.startAll();
      return s;
    } catch (Exception e) {
      s.close();
      throw new IllegalStateException("demo stack did not start: " + e.getMessage(), e);
    }
  }

  private void startAll() throws Exception {
    Files.createDirectories(logs);
    zipkin.launch(); // in parallel with the services; they only need its URL now
    redis = RedisServers.standalone();
    redis.start();
    for (String s : List.of("users", "orders", "gateway")) {
      ports.put(s, LoopbackPorts.free());
      adminPorts.put(s, LoopbackPorts.free());
    }
    // users and orders first (in parallel); the gateway needs only their URLs, not their readiness.
    for (String s : List.of("users", "orders", "gateway")) {
      List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1", "-cp", classPath(), "hyperion.examples.demo.DemoMain", "--service", s,
          "--host", "127.0.0.1", "--port", ports.get(s).toString(), "--admin-port", adminPorts.get(s).toString(),
          "--redis", redis.addresses().get(0), "--tracing", "zipkin", "--tracing-endpoint",
          zipkinUrl() + "/api/v2/spans"));
      // orders asks users whether a new order's user exists; the gateway calls both
      cmd.addAll(List.of("--users-url", "http://127.0.0.1:" + ports.get("users"), "--orders-url",
          "http://127.0.0.1:" + ports.get("orders")));
      launch(s, new ProcessBuilder(cmd));
    }
    zipkin.awaitHealthy();
    for (String s : List.of("users", "orders", "gateway")) {
      awaitOk(s, URI.create("http://127.0.0.1:" + adminPorts.get(s) + "/ready"));
    }
  }

  private void launch(String name, ProcessBuilder pb) throws IOException {
    Path log = logs.resolve(name + ".log");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    processes.add(pb.start());
  }

  private void awaitOk(String name, URI url) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    int index = List.of("users", "orders", "gateway").indexOf(name);
    Process p = processes.get(index);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(name + " exited with " + p.exitValue() + "; log: "
            + tail(logs.resolve(name + ".log")));
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(name + " not ready at " + url + " within " + START_TIMEOUT + "; log: "
        + tail(logs.resolve(name + ".log")));
  }

  private static String tail(Path log) throws IOException {
    String s = Files.exists(log) ? Files.readString(log) : "(none)";
    return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
  }

  /** The gateway's base URL. */
  public URI gateway() {
    return URI.create("http://127.0.0.1:" + ports.get("gateway") + "/");
  }

  /** The base URL of {@code service} (gateway, users or orders). */
  public URI url(String service) {
    return URI.create("http://127.0.0.1:" + ports.get(service) + "/");
  }

  /** The admin port of {@code service}. */
  public int adminPort(String service) {
    return adminPorts.get(service);
  }

  /** Service name to its {@code /metrics} URL, gateway first. */
  public Map<String, URI> metrics() {
    Map<String, URI> m = new LinkedHashMap<>();
    for (String s : List.of("gateway", "users", "orders")) {
      m.put(s, URI.create("http://127.0.0.1:" + adminPorts.get(s) + "/metrics"));
    }
    return m;
  }

  /** The Zipkin base URL. */
  public String zipkinUrl() {
    return zipkin.baseUrl();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // gateway first, Zipkin last so the services' final flush has somewhere to go
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      try {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    zipkin.close();
    if (redis != null) {
      redis.close();
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String classPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }
}
