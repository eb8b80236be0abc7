package hyperion.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import hyperion.HealthCheck;
import hyperion.Hyperion;
import hyperion.config.Config;
import hyperion.config.ConfigException;
import hyperion.lifecycle.Health;
import hyperion.lifecycle.Lifecycle;
import hyperion.testkit.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The admin server with the core alone (no metrics adapter), over a real socket. */
class AdminServerTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A check whose state the test flips, in the groups it declares. */
  static final class Switch implements HealthCheck {
    final String name;
    final Set<Group> groups;
    final AtomicBoolean up = new AtomicBoolean(true);

    Switch(String name, Set<Group> groups) {
      this.name = name;
      this.groups = groups;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Set<Group> groups() {
      return groups;
    }

    @Override
    public Result check() {
      return up.get() ? Result.up("fine") : Result.down(name + " is down");
    }
  }

  static Module checks(HealthCheck... checks) {
    return new AbstractModule() {
      @Override
      protected void configure() {
        Multibinder<HealthCheck> set = Multibinder.newSetBinder(binder(), HealthCheck.class);
        for (HealthCheck c : checks) {
          set.addBinding().toInstance(c);
        }
      }
    };
  }

  static Hyperion start(int port, String yaml, Module... modules) {
    List<Module> all = new java.util.ArrayList<>(List.of(new AdminModule()));
    all.addAll(List.of(modules));
    return Hyperion.start(Config.fromYaml("admin: {host: 127.0.0.1, port: " + port + "}\n" + yaml),
        all.toArray(Module[]::new));
  }

  static HttpResponse<String> send(int port, String method, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<String> get(int port, String path) {
    return send(port, "GET", path);
  }

  @Test
  void probesWorkWithoutAMetricsAdapter() {
    int port = LoopbackPorts.free();
    try (Hyperion app = start(port, "")) {
      HttpResponse<String> live = get(port, "/health/live");
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.headers().firstValue("Content-Type")).hasValueSatisfying(
          v -> assertThat(v).startsWith("application/json"));
      assertThat(live.body()).isEqualTo("{\"status\":\"UP\",\"checks\":[]}");
      assertThat(get(port, "/health").body()).isEqualTo(live.body());
      assertThat(get(port, "/health/started").body()).startsWith("{\"status\":\"UP\"")
          .contains("{\"name\":\"lifecycle\",\"status\":\"UP\",\"message\":\"running\"");
      assertThat(get(port, "/health/ready").statusCode()).isEqualTo(200);
      assertThat(get(port, "/ready").statusCode()).isEqualTo(200);
      assertThat(send(port, "HEAD", "/health/ready").statusCode()).isEqualTo(200);
      HttpResponse<String> metrics = get(port, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(404);
      assertThat(metrics.body()).contains("/health/live").doesNotContain("/metrics");
    }
  }

  @Test
  void eachProbeRunsTheChecksOfItsGroup() {
    Switch database = new Switch("database", Set.of(HealthCheck.Group.READY));
    Switch telemetry = new Switch("telemetry", Set.of());
    Switch deadlock = new Switch("deadlock", Set.of(HealthCheck.Group.LIVE));
    int port = LoopbackPorts.free();
    try (Hyperion app = start(port, "", checks(database, telemetry, deadlock))) {
      telemetry.up.set(false);
      assertThat(get(port, "/ready").statusCode()).as("a check in no group never fails a probe").isEqualTo(200);
      assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
      HttpResponse<String> all = get(port, "/health/checks");
      assertThat(all.statusCode()).isEqualTo(503);
      assertThat(all.body()).contains("{\"name\":\"telemetry\",\"status\":\"DOWN\",\"message\":\"telemetry is down\"");

      database.up.set(false);
      HttpResponse<String> ready = get(port, "/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).startsWith("{\"status\":\"DOWN\"")
          .contains("{\"name\":\"database\",\"status\":\"DOWN\"").doesNotContain("telemetry")
          .doesNotContain("deadlock");
      assertThat(get(port, "/ready").statusCode()).isEqualTo(503);
      assertThat(get(port, "/health/live").statusCode()).as("liveness ignores readiness checks").isEqualTo(200);
      assertThat(get(port, "/health/started").statusCode()).isEqualTo(200);

      deadlock.up.set(false);
      HttpResponse<String> live = get(port, "/health/live");
      assertThat(live.statusCode()).isEqualTo(503);
      assertThat(live.body()).contains("\"deadlock\"").doesNotContain("database");
      assertThat(get(port, "/health").statusCode()).isEqualTo(503);

      database.up.set(true);
      assertThat(get(port, "/ready").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void configurationMovesChecksBetweenGroups() {
    Switch database = new Switch("database", Set.of(HealthCheck.Group.READY));
    Switch telemetry = new Switch("telemetry", Set.of());
    database.up.set(false);
    telemetry.up.set(false);
    int port = LoopbackPorts.free();
    try (Hyperion app = start(port, "health:\n  groups:\n    database: []\n    telemetry: [ready, started]\n",
        checks(database, telemetry))) {
      HttpResponse<String> ready = get(port, "/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("\"telemetry\"").doesNotContain("database");
      assertThat(get(port, "/health/started").statusCode()).isEqualTo(503);
      assertThat(app.injector().getInstance(Health.class).checkNames(HealthCheck.Group.READY))
          .containsExactly("telemetry");
    }
  }

  @Test
  void startedIsDownUntilStartUpFinished() {
    Lifecycle lifecycle = new Lifecycle(Set.of());
    Health health = new Health(Set.of(), lifecycle, Config.defaults());
    assertThat(health.check(HealthCheck.Group.STARTED).healthy()).isFalse();
    assertThat(health.check(HealthCheck.Group.READY).healthy()).isFalse();
    assertThat(health.check(HealthCheck.Group.LIVE).healthy()).isTrue();
    lifecycle.start(Duration.ofSeconds(1));
    assertThat(health.check(HealthCheck.Group.STARTED).healthy()).isTrue();
    lifecycle.stop(Duration.ofSeconds(1));
    assertThat(health.check(HealthCheck.Group.READY).healthy()).isFalse();
    assertThat(health.check(HealthCheck.Group.STARTED).healthy()).isTrue();
  }

  @Test
  void groupsNamingNoBoundCheckOrNoGroupFailStartUp() {
    assertThatThrownBy(() -> start(0, "health:\n  groups:\n    redsi: [ready]\n", checks(new Switch("redis",
        Set.of(HealthCheck.Group.READY)))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("health.groups.redsi = '[ready]'").hasMessageContaining("a bound check: redis");
    assertThatThrownBy(() -> Config.fromYaml("health:\n  groups:\n    redis: [alive]\n").health())
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration: health.groups.redis = '[alive]': a list of live, ready, started (or [] for none)");
  }

  @Test
  void modulesAddEndpointsAndTheProbePathsStayReserved() {
    Module hello = new AbstractModule() {
      @Override
      protected void configure() {
        Multibinder.newSetBinder(binder(), AdminEndpoint.class).addBinding().toInstance(new AdminEndpoint("/hello",
            x -> {
              byte[] body = "hi".getBytes(StandardCharsets.UTF_8);
              x.sendResponseHeaders(200, body.length);
              x.getResponseBody().write(body);
            }));
      }
    };
    int port = LoopbackPorts.free();
    try (Hyperion app = start(port, "", hello)) {
      assertThat(get(port, "/hello").body()).isEqualTo("hi");
      assertThat(get(port, "/hello/x").statusCode()).isEqualTo(404);
      HttpResponse<String> post = send(port, "POST", "/hello");
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }
    for (String reserved : List.of("/", "/ready", "/health", "/health/live", "relative", "/a b")) {
      assertThatThrownBy(() -> new AdminEndpoint(reserved, x -> {})).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + reserved + "'");
    }
  }

  @Test
  void aPortInUseFailsStartUpNamingTheKeyAndValue() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> start(port, ""))
          .hasMessageContaining("admin.port = " + port)
          .hasMessageContaining("127.0.0.1:" + port);
    }
  }

  @Test
  void portZeroMeansNoServerAndStopFreesThePort() throws IOException {
    try (Hyperion app = start(0, "")) {
      AdminServer server = app.injector().getInstance(AdminServer.class);
      assertThat(server.port()).isEqualTo(-1);
    }
    int port = LoopbackPorts.free();
    start(port, "").close();
    try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void badAdminSettingsNameTheKey() {
    assertThatThrownBy(() -> Hyperion.start(Config.fromYaml("admin: {port: 70000}"), new AdminModule()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("admin.port = '70000'");
    assertThatThrownBy(() -> Hyperion.start(Config.fromYaml("admin: {host: ' '}"), new AdminModule()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("admin.host");
  }

  /**
   * Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed
   * ACK: each keep-alive answer after the first takes about 40 ms, 10 of them about 400 ms.
   */
  @Test
  void keepAliveAnswersDoNotWaitForDelayedAcks() throws Exception {
    int port = LoopbackPorts.free();
    try (Hyperion app = start(port, "");
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5000);
      var out = socket.getOutputStream();
      var in = new java.io.BufferedInputStream(socket.getInputStream());
      byte[] request = "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      exchange(out, in, request); // the first answer has no ACK to wait for
      long start = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        assertThat(exchange(out, in, request)).isEqualTo("{\"status\":\"UP\",\"checks\":[]}");
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(millis).as("10 keep-alive answers took %d ms", millis).isLessThan(250);
    }
  }

  /** Sends {@code request} and reads one answer with a Content-Length; returns its body. */
  static String exchange(java.io.OutputStream out, java.io.InputStream in, byte[] request) throws IOException {
    out.write(request);
    out.flush();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head);
      }
      head.append((char) b);
    }
    var m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    assertThat(m.find()).as("Content-Length in %s", head).isTrue();
    return new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
  }
}
