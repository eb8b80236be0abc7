package hyperion.examples.demo;

import hyperion.examples.deploy.PrometheusServer;
import hyperion.otel.testkit.ZipkinServer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo end to end, against real processes: a spawned {@code redis-server}, the real Zipkin
 * server, PostgreSQL on 127.0.0.1:5432 (database {@code test}, a schema of this run's own) shared by
 * two {@code users} instances, one {@code orders} and the {@code gateway}, each its own JVM; then a
 * real Prometheus scraping the four admin endpoints. The tests run in order on one set of processes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoEndToEndTest {

  @RegisterExtension
  static final RedisServers REDIS = RedisServers.standalone();

  @RegisterExtension
  static final ZipkinServer ZIPKIN = new ZipkinServer();

  static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";
  static final String SCHEMA = "demo_e2e_" + ProcessHandle.current().pid();

  static DemoProcess usersA;
  static DemoProcess usersB;
  static DemoProcess orders;
  static DemoProcess gateway;
  /** Every process started, for the clean-up (including ones restarted after a port clash). */
  static final List<DemoProcess> ALL = new ArrayList<>();

  @BeforeAll
  static void startServices() throws Exception {
    try (Connection c = DriverManager.getConnection(PG, "postgres", "");
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
    } catch (java.sql.SQLException e) {
      Assumptions.abort("PostgreSQL on 127.0.0.1:5432 is needed for two users instances sharing a database: " + e);
    }
    Map<String, String> env = new HashMap<>();
    // Long enough that, in the SIGTERM test, only the shutdown flush can deliver the last spans.
    env.put("HYPERION_TRACING__BATCH__DELAY", "4s");
    env.put("DEMO_LOG_LEVEL", "INFO");
    String[] common = {"--redis", REDIS.addresses().get(0), "--tracing", "zipkin", "--tracing-endpoint",
        ZIPKIN.baseUrl() + "/api/v2/spans", "--jdbc-url", PG + "?currentSchema=" + SCHEMA, "--db-user", "postgres",
        "--shutdown-timeout", "8s"};
    DemoProcess a = track(DemoProcess.start("users-a", "users", env, common));
    DemoProcess b = track(DemoProcess.start("users-b", "users", env, common));
    DemoProcess o = track(DemoProcess.start("orders", "orders", env, with(common, "--users-url",
        a.baseUrl() + "," + b.baseUrl())));
    usersA = track(a.awaitReady(Duration.ofSeconds(90)));
    usersB = track(b.awaitReady(Duration.ofSeconds(90)));
    orders = track(o.awaitReady(Duration.ofSeconds(90)));
    List<String> gw = new ArrayList<>(List.of(common));
    gw.addAll(List.of("--users-url", usersA.baseUrl() + "," + usersB.baseUrl(), "--orders-url", orders.baseUrl(),
        "--gateway-ttl", "200ms"));
    gateway = track(track(DemoProcess.start("gateway", "gateway", env, gw.toArray(String[]::new)))
        .awaitReady(Duration.ofSeconds(90)));
  }

  private static String[] with(String[] args, String... more) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static DemoProcess track(DemoProcess p) {
    if (!ALL.contains(p)) {
      ALL.add(p);
    }
    return p;
  }

  @AfterAll
  static void stopServices() throws Exception {
    for (DemoProcess p : ALL) {
      p.kill();
    }
    try (Connection c = DriverManager.getConnection(PG, "postgres", "");
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    } catch (java.sql.SQLException e) {
      // nothing was created
    }
  }

  @Test
  @Order(1)
  void oneGatewayRequestIsOneTraceWithServerSpansOfAllThreeServices() throws Exception {
    HttpResponse<String> r = DemoProcess.get(gateway.url("/users/1/orders"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"user\"").contains("\"orders\"");
    String traceId = r.headers().firstValue("X-Trace-Id").orElseThrow();

    JsonNode spans = awaitTrace(traceId, List.of("gateway", "users", "orders"), Duration.ofSeconds(30));
    Map<String, JsonNode> byId = new HashMap<>();
    spans.forEach(s -> byId.put(s.path("id").asText(), s));
    JsonNode root = find(spans, "gateway", "SERVER");
    assertThat(root.has("parentId")).as("gateway server span is the root").isFalse();
    for (String backend : List.of("users", "orders")) {
      JsonNode server = find(spans, backend, "SERVER");
      JsonNode client = byId.get(server.path("parentId").asText());
      assertThat(client).as(backend + " server span's parent is in the trace").isNotNull();
      assertThat(service(client)).isEqualTo("gateway");
      assertThat(client.path("kind").asText()).isEqualTo("CLIENT");
      assertThat(client.path("tags").path("http.response.status_code").asText()).isEqualTo("200");
      // the client span descends from the gateway's server span
      JsonNode up = client;
      while (up != null && up.has("parentId") && up != root) {
        up = byId.get(up.path("parentId").asText());
      }
      assertThat(up).isSameAs(root);
      assertThat(server.path("tags").path("http.route").asText()).isNotEmpty();
    }
    assertThat(spans.findValuesAsText("db.system.name")).contains("postgresql");
  }

  @Test
  @Order(2)
  void redisHoldsTheL2KeysWithTtls() throws Exception {
    assertThat(DemoProcess.get(gateway.url("/users/2/orders")).statusCode()).isEqualTo(200);
    RedisNode node = REDIS.nodes().get(0);
    assertThat(node.callString("EXISTS", "users:users:2")).isEqualTo("1");
    assertThat(node.callString("EXISTS", "orders:orders:user:2")).isEqualTo("1");
    long ttl = Long.parseLong(node.callString("TTL", "users:users:2"));
    assertThat(ttl).isBetween(1L, 300L);
    assertThat(Long.parseLong(node.callString("TTL", "orders:orders:user:2"))).isBetween(1L, 300L);
  }

  @Test
  @Order(3)
  void anUpdateThroughOneUsersInstanceIsSeenThroughTheOther() throws Exception {
    // warm both instances' L1
    assertThat(DemoProcess.get(usersA.url("/users/3")).body()).contains("Grace Hopper");
    assertThat(DemoProcess.get(usersB.url("/users/3")).body()).contains("Grace Hopper");
    HttpResponse<String> put = DemoProcess.send("PUT", usersA.url("/users/3"),
        "{\"name\":\"Rear Admiral Grace Hopper\",\"email\":\"grace@example.org\"}");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String seen = "";
    while (System.nanoTime() < deadline) {
      seen = DemoProcess.get(usersB.url("/users/3")).body();
      if (seen.contains("Rear Admiral")) {
        break;
      }
      Thread.sleep(50);
    }
    assertThat(seen).contains("Rear Admiral Grace Hopper");
  }

  @Test
  @Order(3)
  void theGatewayServesHotReadsFromItsOwnL1() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(DemoProcess.get(gateway.url("/users/4")).statusCode()).isEqualTo(200);
    }
    String metrics = DemoProcess.get(URI.create("http://127.0.0.1:" + gateway.adminPort + "/metrics")).body();
    assertThat(metrics).containsPattern(
        "hyperion_cache_requests_total\\{cache=\"gateway\",layer=\"l1\",result=\"hit\"} [1-9]");
  }

  @Test
  @Order(4)
  void aRealPrometheusScrapesAllAdminEndpoints() throws Exception {
    assertThat(DemoProcess.send("POST", gateway.url("/orders"), "{\"userId\":4,\"item\":\"pencil\",\"amount\":3.5}")
        .statusCode()).isEqualTo(201);
    StringBuilder targets = new StringBuilder();
    List<DemoProcess> live = List.of(gateway, usersA, usersB, orders);
    for (DemoProcess p : live) {
      targets.append(targets.length() == 0 ? "" : ", ").append("'127.0.0.1:").append(p.adminPort).append('\'');
    }
    try (PrometheusServer prometheus = PrometheusServer.start(Files.createTempDirectory("prometheus"),
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        + "scrape_configs:\n  - job_name: demo\n    static_configs:\n      - targets: [" + targets + "]\n")) {
      prometheus.awaitUp(live.size(), Duration.ofSeconds(60));
      JsonNode up = prometheus.query("up == 1");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      JsonNode orders = prometheus.query("demo_orders_created_total");
      while (orders.size() != 1 && System.nanoTime() < deadline) {
        Thread.sleep(500);
        orders = prometheus.query("demo_orders_created_total");
      }
      assertThat(up).as("targets up").hasSize(live.size());
      assertThat(orders).as("demo_orders_created_total scraped from orders").hasSize(1);
      JsonNode requests = prometheus.query("hyperion_http_server_request_duration_seconds_count");
      assertThat(requests.size()).isGreaterThanOrEqualTo(4);
    }
  }

  @Test
  @Order(5)
  void withRedisKilledGatewayRequestsKeepReturning200() throws Exception {
    // load through the gateway while Redis dies under it
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.ConcurrentLinkedQueue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
    java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
    Thread load = new Thread(() -> {
      int i = 0;
      while (!stop.get()) {
        int id = 1 + (i++ % 5);
        try {
          HttpResponse<String> r = DemoProcess.get(gateway.url("/users/" + id + "/orders"));
          if (r.statusCode() != 200) {
            failures.add(id + " -> " + r.statusCode() + " " + r.body());
          }
          served.incrementAndGet();
        } catch (Exception e) {
          failures.add(id + " -> " + e);
        }
      }
    }, "load");
    load.start();
    Thread.sleep(300);
    REDIS.nodes().get(0).kill();
    Thread.sleep(1500);
    stop.set(true);
    load.join(15_000);
    assertThat(failures).as("requests while Redis was killed").isEmpty();
    assertThat(served.get()).isGreaterThan(5);
    for (int round = 0; round < 3; round++) {
      for (int id = 1; id <= 5; id++) {
        HttpResponse<String> r = DemoProcess.get(gateway.url("/users/" + id + "/orders"));
        assertThat(r.statusCode()).as("GET /users/%d/orders with Redis down: %s", id, r.body()).isEqualTo(200);
      }
    }
    HttpResponse<String> put = DemoProcess.send("PUT", gateway.url("/users/5"),
        "{\"name\":\"Barbara Liskov\",\"email\":\"liskov@example.org\"}");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
  }

  @Test
  @Order(6)
  void sigtermStopsEveryProcessWithExitZeroAndFlushesEverySpan() throws Exception {
    Thread.sleep(500); // past the gateway's 200 ms TTL, so this request reaches users as well
    HttpResponse<String> r = DemoProcess.get(gateway.url("/users/1/orders"));
    assertThat(r.statusCode()).isEqualTo(200);
    String traceId = r.headers().firstValue("X-Trace-Id").orElseThrow();
    // gateway first, as an orchestrator would drain the edge first; then the backends
    for (DemoProcess p : List.of(gateway, usersA, usersB, orders)) {
      long start = System.nanoTime();
      int status = p.terminate(Duration.ofSeconds(20));
      assertThat(status).as(p.name + " exit status after SIGTERM; log " + p.log).isEqualTo(0);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(12));
    }
    // batch delay is 4 s and the processes stopped sooner: these spans came from the shutdown flush
    JsonNode spans = awaitTrace(traceId, List.of("gateway", "users", "orders"), Duration.ofSeconds(10));
    assertThat(spans.size()).isGreaterThanOrEqualTo(5);
  }

  private static JsonNode awaitTrace(String traceId, List<String> services, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode spans = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = ZIPKIN.get("/api/v2/trace/" + traceId);
      if (r.statusCode() == 200) {
        spans = Json.MAPPER.readTree(r.body());
        boolean complete = true;
        for (String s : services) {
          complete &= findOrNull(spans, s, "SERVER") != null;
        }
        if (complete) {
          return spans;
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError("trace " + traceId + " incomplete in Zipkin after " + timeout + ": " + spans);
  }

  private static String service(JsonNode span) {
    return span.path("localEndpoint").path("serviceName").asText();
  }

  private static JsonNode find(JsonNode spans, String service, String kind) {
    JsonNode s = findOrNull(spans, service, kind);
    assertThat(s).as(kind + " span of " + service + " in " + spans).isNotNull();
    return s;
  }

  private static JsonNode findOrNull(JsonNode spans, String service, String kind) {
    for (JsonNode s : spans) {
      if (service.equals(service(s)) && kind.equals(s.path("kind").asText())) {
        return s;
      }
    }
    return null;
  }
}
