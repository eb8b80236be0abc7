package hyperion.examples.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.config.Config;
import hyperion.examples.load.PromText;
import hyperion.prometheus.PrometheusModule;
import hyperion.redis.RedisModule;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.LoopbackPorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis killed, then hung (SIGSTOP), under four threads for a while each, against a service with
 * the Caffeine, Redis and Prometheus adapters: every call returns within {@code l2_timeout} + 50
 * ms, the breaker opens, {@code result="error"} counts the failures, and the {@code
 * HyperionRedisBreakerOpen} rule fires in a {@code promtool test rules} case built from the series
 * the service really exposed during the outage.
 */
class RedisOutageTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();

  static final Duration L2_TIMEOUT = Duration.ofMillis(200);
  static final Duration BOUND = L2_TIMEOUT.plusMillis(50);
  static final Duration PHASE = Duration.ofSeconds(Integer.getInteger("hyperion.outage.seconds", 10));
  static final List<String> OPS = List.of("get", "getOrLoad miss", "getOrLoad hit", "put", "delete",
      "putAll(1000)");

  /** The entry of {@link #load}'s result that holds the machine's own longest scheduling stall. */
  static final String STALL = "stall";

  record Item(String id, int n) {}

  @Test
  void killedThenHungRedisNeverHoldsACallerBeyondTheTimeoutAndTheBreakerAlertFires() throws Exception {
    int adminPort = LoopbackPorts.free();
    String yaml = """
        service:
          name: users
        admin:
          port: %d
          host: 127.0.0.1
        metrics:
          collect_runtime: false
        redis:
          addresses: ["%s"]
          command_timeout: 150ms
          connect_timeout: 200ms
          reconnect_delay_max: 500ms
        cache:
          default:
            l2_timeout: %dms
            breaker_failures: 5
            breaker_cooldown: 1s
        """.formatted(adminPort, redis.nodes().get(0).address(), L2_TIMEOUT.toMillis());
    RedisNode server = redis.nodes().get(0);
    HttpClient http = HttpClient.newHttpClient();
    URI metricsUri = URI.create("http://127.0.0.1:" + adminPort + "/metrics");
    try (Hyperion app = Hyperion.start(Config.fromYaml(yaml), new CaffeineModule(), new RedisModule(),
        new PrometheusModule())) {
      Cache cache = app.context().cache("users");
      awaitL2(cache, server);
      for (int i = 0; i < 100; i++) {
        cache.put("hot" + i, new Item("hot" + i, i));
      }

      server.kill();
      Map<String, Long> killed = load(cache, PHASE);
      PromText duringKill = PromText.scrape(http, metricsUri);

      server.start();
      awaitL2(cache, server);
      for (int i = 0; i < 100; i++) {
        cache.put("hot" + i, new Item("hot" + i, i));
      }
      server.pause();
      Map<String, Long> hung;
      PromText duringHang;
      try {
        hung = load(cache, PHASE);
        duringHang = PromText.scrape(http, metricsUri);
      } finally {
        server.resume();
      }
      report("killed", killed);
      report("hung (SIGSTOP)", hung);
      // What the machine itself adds: a thread that only sleeps 10 ms at a time, measured alongside.
      Duration stall = Duration.ofNanos(Math.max(killed.get(STALL), hung.get(STALL)));
      System.out.println("longest scheduling stall of an idle thread meanwhile: " + stall.toMillis() + " ms");
      for (String op : OPS) {
        assertThat(Duration.ofNanos(killed.get(op))).as("killed: worst " + op).isLessThanOrEqualTo(BOUND.plus(stall));
        assertThat(Duration.ofNanos(hung.get(op))).as("hung: worst " + op).isLessThanOrEqualTo(BOUND.plus(stall));
      }

      for (PromText scrape : List.of(duringKill, duringHang)) {
        assertThat(value(scrape, "hyperion_cache_breaker_open", Map.of("cache", "users"))).isEqualTo(1.0);
        assertThat(value(scrape, "hyperion_cache_requests_total",
            Map.of("cache", "users", "layer", "l2", "result", "error"))).isGreaterThanOrEqualTo(5);
      }
      System.out.printf("L2 errors counted: %.0f after the kill, %.0f after the hang; L2 timeouts (get): %.0f%n",
          value(duringKill, "hyperion_cache_requests_total", Map.of("cache", "users", "layer", "l2", "result", "error")),
          value(duringHang, "hyperion_cache_requests_total", Map.of("cache", "users", "layer", "l2", "result", "error")),
          value(duringHang, "hyperion_cache_l2_timeouts_total", Map.of("cache", "users", "operation", "get")));
      promtoolFiresTheBreakerAlert(duringHang);
    }
  }

  /** Runs the six operations from four threads for {@code length}; the worst latency per operation (ns). */
  private static Map<String, Long> load(Cache cache, Duration length) throws Exception {
    Map<String, AtomicLong> worst = new ConcurrentHashMap<>();
    OPS.forEach(op -> worst.put(op, new AtomicLong()));
    Map<String, Item> batch = new LinkedHashMap<>();
    for (int i = 0; i < 1_000; i++) {
      batch.put("batch" + i, new Item("batch" + i, i));
    }
    long end = System.nanoTime() + length.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(5);
    AtomicLong stall = new AtomicLong();
    try {
      List<Future<?>> tasks = new ArrayList<>();
      tasks.add(pool.submit(() -> {
        while (System.nanoTime() < end) {
          long t0 = System.nanoTime();
          Thread.sleep(10);
          stall.accumulateAndGet(System.nanoTime() - t0 - TimeUnit.MILLISECONDS.toNanos(10), Math::max);
        }
        return null;
      }));
      for (int t = 0; t < 4; t++) {
        tasks.add(pool.submit(() -> {
          ThreadLocalRandom rnd = ThreadLocalRandom.current();
          while (System.nanoTime() < end) {
            String key = "k" + rnd.nextLong();
            time(worst, "get", () -> cache.get(key, Item.class));
            time(worst, "getOrLoad miss", () -> cache.getOrLoad(key, Item.class, null, k -> new Item(k, 1)));
            int hot = rnd.nextInt(100);
            time(worst, "getOrLoad hit", () -> cache.getOrLoad("hot" + hot, Item.class, null, k -> new Item(k, 2)));
            time(worst, "put", () -> cache.put("p" + rnd.nextInt(1_000), new Item("p", 3)));
            time(worst, "delete", () -> cache.delete("p" + rnd.nextInt(1_000)));
            if (rnd.nextInt(20) == 0) {
              time(worst, "putAll(1000)", () -> cache.putAll(batch, null));
            }
          }
          return null;
        }));
      }
      for (Future<?> f : tasks) {
        f.get(length.toSeconds() + 60, TimeUnit.SECONDS); // every call returned, none threw
      }
    } finally {
      pool.shutdownNow();
    }
    Map<String, Long> result = worst.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
    result.put(STALL, stall.get());
    return result;
  }

  private static void time(Map<String, AtomicLong> worst, String op, Runnable call) {
    long t0 = System.nanoTime();
    call.run();
    long took = System.nanoTime() - t0;
    worst.get(op).accumulateAndGet(took, Math::max);
  }

  private static void report(String phase, Map<String, Long> worst) {
    System.out.println("Redis " + phase + ", worst caller latency per operation (bound " + BOUND.toMillis()
        + " ms): " + OPS.stream().map(op -> op + " " + String.format("%.1f", worst.get(op) / 1e6) + " ms")
        .collect(Collectors.joining(", ")));
  }

  /**
   * Feeds the breaker series exactly as scraped (name and labels, plus the {@code job} label a
   * Prometheus scrape adds) to promtool with the deploy alert rules, and expects the alert.
   */
  private static void promtoolFiresTheBreakerAlert(PromText scrape) throws Exception {
    PromText.Sample breaker = scrape.samples().stream()
        .filter(s -> s.name().equals("hyperion_cache_breaker_open") && "users".equals(s.labels().get("cache")))
        .findFirst().orElseThrow();
    Map<String, String> labels = new LinkedHashMap<>(breaker.labels());
    labels.put("job", "users");
    String series = breaker.name() + labels.entrySet().stream().map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
        .collect(Collectors.joining(", ", "{", "}"));
    long v = (long) breaker.value();
    String test = """
        rule_files:
          - %s
        evaluation_interval: 15s
        tests:
          - interval: 15s
            input_series:
              - series: '%s'
                values: '0 0 %d %d %d %d %d %d %d %d %d %d'
            alert_rule_test:
              - eval_time: 30s
                alertname: HyperionRedisBreakerOpen
                exp_alerts: []
              - eval_time: 2m45s
                alertname: HyperionRedisBreakerOpen
                exp_alerts:
                  - exp_labels:
                      severity: critical
                      job: users
                      cache: users
                    exp_annotations:
        """.formatted(DeployAssets.DIR.resolve("prometheus/alerts.yml").toAbsolutePath(), series, v, v, v, v, v, v,
        v, v, v, v);
    String annotations = annotations();
    Path file = Files.createTempFile("breaker-from-scrape", ".yml");
    Files.writeString(file, test + annotations);
    String out = DeployAssetsTest.run(file.getParent(), "promtool", "test", "rules", file.toString());
    assertThat(out).contains("SUCCESS");
  }

  /** The rule's annotations as promtool expects them rendered for job=users, cache=users. */
  private static String annotations() throws Exception {
    var rules = DeployAssets.YAML.readTree(DeployAssets.DIR.resolve("prometheus/alerts.yml").toFile());
    for (var group : rules.get("groups")) {
      for (var rule : group.get("rules")) {
        if ("HyperionRedisBreakerOpen".equals(rule.path("alert").asText())) {
          StringBuilder sb = new StringBuilder();
          rule.get("annotations").fields().forEachRemaining(e -> sb.append("                      ")
              .append(e.getKey()).append(": '").append(e.getValue().asText()
                  .replace("{{ $labels.job }}", "users").replace("{{ $labels.cache }}", "users")
                  .replace("'", "''")).append("'\n"));
          return sb.toString();
        }
      }
    }
    throw new IllegalStateException("no HyperionRedisBreakerOpen rule in alerts.yml");
  }

  private static double value(PromText scrape, String name, Map<String, String> labels) {
    return scrape.samples().stream()
        .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(PromText.Sample::value).sum();
  }

  /** Waits until a write reaches Redis (after a restart the breaker closes on its own). */
  private static void awaitL2(Cache cache, RedisNode server) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      String value = "probe-" + System.nanoTime();
      cache.put("probe", new Item(value, 0));
      byte[] stored = (byte[]) server.call("GET", "users:users:probe");
      if (stored != null && new String(stored, java.nio.charset.StandardCharsets.UTF_8).contains(value)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("L2 did not answer within 30 s");
  }
}
