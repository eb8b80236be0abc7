package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Hyperion;
import hyperion.cache.InvalidationBus;
import hyperion.caffeine.CaffeineModule;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.RecordingMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Instances in {@code coherence: tracking} mode (Caffeine L1 + Redis), and writes by the real {@code redis-cli}. */
final class TrackingTesting {
  /** How long after an outside write's acknowledgement an L1 copy may still be served. */
  static final Duration EVICTION_BOUND = Duration.ofMillis(100);

  private TrackingTesting() {}

  static String yaml(RedisServers servers, String... redisKeys) {
    List<String> keys = new ArrayList<>(List.of("coherence: tracking"));
    keys.addAll(List.of(redisKeys));
    return RedisTesting.yaml(servers, keys.toArray(String[]::new)) + "cache:\n  default:\n    default_ttl: 10m\n";
  }

  /**
   * Starts an instance and waits until every master is tracked (normally at once: start waits for
   * the first attempt; on a loaded machine the first command connection may time out and be retried).
   */
  static Hyperion start(RedisServers servers, RecordingMetrics metrics) {
    Hyperion app = RedisTesting.start(yaml(servers), metrics, new CaffeineModule());
    awaitTracking(app, Duration.ofSeconds(20));
    return app;
  }

  /** The whole-L1 clears counted so far for {@code reason}. */
  static double clears(RecordingMetrics metrics, String reason) {
    return metrics.value("hyperion_redis_l1_clears_total", "tracking", reason);
  }

  static Cache cache(Hyperion app, String name) {
    return app.injector().getInstance(CacheManager.class).cache(name);
  }

  static RedisTrackingBus bus(Hyperion app) {
    return app.injector().getInstance(RedisTrackingBus.class);
  }

  static void awaitTracking(Hyperion app, Duration timeout) {
    RedisNode.await("tracking to be up", timeout, () -> bus(app).isUp());
  }

  /**
   * Writes through {@code app} until the write reaches Redis (with an L1 a read would be served
   * from L1 while Redis is failing over, so the write is checked in Redis itself); returns how long
   * it took, failing after {@link RedisTesting#MAX_FAILOVER_GAP}.
   */
  static Duration awaitL2(Hyperion app, Cache cache, String name) {
    long t0 = System.nanoTime();
    RedisNode.await("writes to reach Redis again", RedisTesting.MAX_FAILOVER_GAP, () -> {
      cache.put("probe", "p");
      return RedisTesting.inL2(app, name, "probe");
    });
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  static double l1Hits(RecordingMetrics metrics, String cache) {
    return metrics.value("hyperion_cache_requests_total", cache, "l1", "hit");
  }

  /**
   * Puts {@code key = value} through the app and waits until the next read is an L1 hit: this
   * instance's own write comes back as an invalidation too, so the copy is re-read from L2 once.
   */
  static void putIntoL1(Cache cache, RecordingMetrics metrics, String name, String key, String value)
      throws InterruptedException {
    cache.put(key, value);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      Thread.sleep(20); // lets the invalidation of the put arrive first
      assertThat(cache.get(key, String.class)).contains(value);
      double before = l1Hits(metrics, name);
      assertThat(cache.get(key, String.class)).contains(value);
      if (l1Hits(metrics, name) > before) {
        return;
      }
      assertThat(System.nanoTime()).as("an L1 hit for " + key).isLessThan(deadline);
    }
  }

  /**
   * Runs {@code redis-cli -h 127.0.0.1 -p <port> args...} (the real binary, nothing of Hyperion) and
   * returns its output; fails if it fails.
   */
  static String redisCli(RedisNode node, String... args) throws IOException, InterruptedException {
    Process p = startRedisCli(node, args);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("redis-cli " + String.join(" ", args) + ": " + out).isZero();
    return out;
  }

  private static Process startRedisCli(RedisNode node, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(node.port())));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  /**
   * With {@code key} of {@code name} holding {@code "old"} in L1, SETs it to {@code "new"} (JSON) with
   * {@code redis-cli} on {@code node}, and measures when the L1 copy is evicted: when the bus hands
   * the key's invalidation to a listener subscribed after the cache manager (which evicts first).
   * Returns the milliseconds after redis-cli exited (the write was acknowledged before that; 0 when
   * the eviction came first), prints them with the time from launching redis-cli, fails beyond
   * {@link #EVICTION_BOUND}, and checks that the instance then reads {@code "new"}.
   */
  static double outsideSetEvicts(String what, Hyperion app, RecordingMetrics metrics, String name, String key,
      RedisNode node) throws Exception {
    Cache cache = cache(app, name);
    putIntoL1(cache, metrics, name, key, "old");
    AtomicLong evicted = new AtomicLong();
    AtomicBoolean armed = new AtomicBoolean(true);
    bus(app).subscribe(new InvalidationBus.Listener() {
      @Override
      public void invalidate(String c, String k) {
        if (armed.get() && name.equals(c) && key.equals(k)) {
          evicted.compareAndSet(0, System.nanoTime());
        }
      }

      @Override
      public void reconnected() {}
    });
    long launched = System.nanoTime();
    Process p = startRedisCli(node, "SET", RedisTesting.redisKey(name, key), "\"new\"");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long exited = System.nanoTime();
    assertThat(out).isEqualTo("OK");
    RedisNode.await(what + ": the invalidation of the outside SET", Duration.ofSeconds(5), () -> evicted.get() != 0);
    armed.set(false);
    double afterExit = Math.max(0, evicted.get() - exited) / 1e6;
    double afterLaunch = (evicted.get() - launched) / 1e6;
    System.out.printf("%s: redis-cli SET -> L1 copy evicted %.2f ms after redis-cli exited (%.2f ms after it was"
        + " launched, redis-cli ran %.2f ms)%n", what, afterExit, afterLaunch, (exited - launched) / 1e6);
    assertThat(afterExit).as(what + ": ms from the acknowledged SET to the eviction")
        .isLessThan((double) EVICTION_BOUND.toMillis());
    RedisNode.await(what + ": the new value to be read", Duration.ofSeconds(5),
        () -> cache.get(key, String.class).equals(Optional.of("new")));
    return afterExit;
  }
}
