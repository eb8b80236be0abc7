package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.RecordingMetrics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code distributed_load}: several service instances (injectors, and one child JVM) on one real
 * redis-server. Loader runs are counted outside the JVMs, with {@code INCR} on a second
 * redis-server that only counts.
 */
class DistributedLoadTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();
  /** Counts loader runs, outside every JVM under test. */
  @RegisterExtension
  static final RedisServers counter = RedisServers.standalone();

  static final Duration LEASE = Duration.ofSeconds(2);
  static final String SPEC = "cache:\n  quotes:\n    distributed_load: true\n    lease_time: " + LEASE.toMillis()
      + "ms\n    l2_timeout: 500ms\n";

  private final List<Hyperion> apps = new ArrayList<>();

  @AfterEach
  void stop() {
    apps.forEach(Hyperion::close);
  }

  record Quote(String symbol, long loadedBy) {}

  private Hyperion start(RecordingMetrics metrics) {
    Hyperion app = RedisTesting.start(RedisTesting.yaml(redis) + SPEC, metrics, new CaffeineModule());
    apps.add(app);
    return app;
  }

  private static Cache quotes(Hyperion app) {
    return app.injector().getInstance(CacheManager.class).cache("quotes");
  }

  private static long incr(String key) {
    return ((Number) counter.nodes().get(0).call("INCR", key)).longValue();
  }

  private static long count(String key) {
    String v = counter.nodes().get(0).callString("GET", key);
    return v == null ? 0 : Long.parseLong(v);
  }

  private static double sum(List<RecordingMetrics> metrics, String outcome) {
    return metrics.stream().mapToDouble(m -> m.value("hyperion_cache_leases_total", "quotes", outcome)).sum();
  }

  /** The done-when run: 4 instances x 50 concurrent callers on one cold key, one loader run in the cluster. */
  @Test
  @Timeout(60)
  void fourInstancesWithFiftyCallersEachRunTheLoaderOnce() throws Exception {
    List<RecordingMetrics> metrics = new ArrayList<>();
    List<Cache> caches = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      RecordingMetrics m = new RecordingMetrics();
      metrics.add(m);
      caches.add(quotes(start(m)));
    }
    CountDownLatch go = new CountDownLatch(1);
    ConcurrentLinkedQueue<Quote> results = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Cache cache = caches.get(i);
      long instance = i;
      for (int t = 0; t < 50; t++) {
        Thread th = new Thread(() -> {
          try {
            go.await();
            results.add(cache.getOrLoad("ACME", Quote.class, null, k -> {
              incr("loads:ACME");
              Thread.sleep(500);
              return new Quote(k, instance);
            }));
          } catch (Throwable e) {
            errors.add(e);
          }
        });
        th.start();
        threads.add(th);
      }
    }
    go.countDown();
    for (Thread th : threads) {
      th.join();
    }
    System.out.printf("distributed load: loader runs %d; leases acquired %.0f, waited %.0f, taken over %.0f,"
        + " fallback %.0f, timeout %.0f%n", count("loads:ACME"), sum(metrics, "acquired"), sum(metrics, "waited"),
        sum(metrics, "taken_over"), sum(metrics, "fallback"), sum(metrics, "timeout"));
    assertThat(errors).isEmpty();
    assertThat(results).hasSize(200);
    assertThat(results.stream().distinct().toList()).hasSize(1);
    assertThat(count("loads:ACME")).as("loader runs in the cluster, counted by Redis").isEqualTo(1);
    assertThat(sum(metrics, "acquired")).isEqualTo(1);
    assertThat(sum(metrics, "waited")).isEqualTo(3);
  }

  /**
   * The lease holder (a child JVM) is killed while its loader runs: its lease expires after
   * lease_time and one waiting instance takes over; the others get that instance's value.
   */
  @Test
  @Timeout(90)
  void aKilledLeaseHoldersLoadIsTakenOverWithinTheLeaseTime(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("application.yaml");
    Files.writeString(config, RedisTesting.yaml(redis) + SPEC);
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), LeaseHolderMain.class.getName(), config.toString(), "DOOMED");
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          lines.add(l);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      RedisNode.await("the child to hold the lease and load", Duration.ofSeconds(40),
          () -> lines.contains("LOADING") || !child.isAlive());
      assertThat(child.isAlive()).as("child alive: " + lines).isTrue();
      long holding = System.nanoTime();

      List<RecordingMetrics> metrics = List.of(new RecordingMetrics(), new RecordingMetrics());
      AtomicLong takenOverAfter = new AtomicLong(-1);
      ConcurrentLinkedQueue<Quote> results = new ConcurrentLinkedQueue<>();
      List<Thread> waiters = new ArrayList<>();
      for (RecordingMetrics m : metrics) {
        Cache cache = quotes(start(m));
        Thread th = new Thread(() -> results.add(cache.getOrLoad("DOOMED", Quote.class, null, k -> {
          takenOverAfter.compareAndSet(-1, System.nanoTime() - holding);
          incr("loads:DOOMED");
          return new Quote(k, 99);
        })));
        th.start();
        waiters.add(th);
      }
      Thread.sleep(200); // both instances are waiting for the holder
      long killed = System.nanoTime();
      child.destroyForcibly(); // SIGKILL: the lease is never released
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      for (Thread th : waiters) {
        th.join();
      }
      Duration takeover = Duration.ofNanos(takenOverAfter.get());
      System.out.printf("lease takeover %d ms after the holder began loading, %d ms after it was killed"
          + " (lease_time %d ms)%n", takeover.toMillis(), takeover.toMillis() - (killed - holding) / 1_000_000,
          LEASE.toMillis());
      assertThat(results).containsExactly(new Quote("DOOMED", 99), new Quote("DOOMED", 99));
      assertThat(count("loads:DOOMED")).as("loader runs after the holder died").isEqualTo(1);
      // The holder took the lease just before it printed LOADING; the lease ends lease_time later,
      // and a waiter looks every 20 ms (500 ms of slack for a loaded machine).
      assertThat(takeover).isLessThanOrEqualTo(LEASE.plusMillis(500));
      assertThat(Duration.ofNanos(holding + takenOverAfter.get() - killed)).as("takeover after the kill")
          .isLessThan(LEASE);
      assertThat(sum(metrics, "taken_over")).isEqualTo(1);
      assertThat(sum(metrics, "waited")).isEqualTo(1);
    } finally {
      child.destroyForcibly();
    }
  }

  /** The lease itself: one holder at a time, released only by its token, gone after its time. */
  @Test
  void aLeaseHasOneHolderIsReleasedOnlyByItsTokenAndExpires() throws Exception {
    Hyperion app = start(null);
    hyperion.cache.RemoteLayer layer = app.injector().getInstance(RedisLayers.class)
        .create("quotes", hyperion.config.CacheSpec.DEFAULTS);
    assertThat(layer.tryLease("L", "token-a", 60_000).toCompletableFuture().get()).isTrue();
    assertThat(layer.tryLease("L", "token-b", 60_000).toCompletableFuture().get()).isFalse();
    assertThat(layer.releaseLease("L", "token-b").toCompletableFuture().get()).as("not b's lease").isFalse();
    assertThat(redis.nodes().get(0).callString("GET", "hyperion-test::lease:quotes:L")).isEqualTo("token-a");
    assertThat(layer.releaseLease("L", "token-a").toCompletableFuture().get()).isTrue();
    assertThat(layer.tryLease("L", "token-b", 200).toCompletableFuture().get()).isTrue();
    RedisNode.await("the lease to expire", Duration.ofSeconds(2),
        () -> redis.nodes().get(0).callString("GET", "hyperion-test::lease:quotes:L") == null);
    assertThat(layer.tryLease("L", "token-c", 60_000).toCompletableFuture().get()).isTrue();
    // Lease keys never collide with cache keys, not even a key named like one.
    quotes(app).put(":lease:quotes:L", new Quote("x", 1));
    assertThat(redis.nodes().get(0).callString("GET", "hyperion-test::lease:quotes:L")).isEqualTo("token-c");
  }

  /**
   * A lease that stays taken without a value appearing (here held by the test itself for a minute):
   * the waiter gives up after l2_timeout + lease_time and loads on its own.
   */
  @Test
  void aWaiterLoadsOnItsOwnAfterL2TimeoutPlusLeaseTime() throws Exception {
    RecordingMetrics metrics = new RecordingMetrics();
    Cache cache = quotes(start(metrics));
    redis.nodes().get(0).call("SET", "hyperion-test::lease:quotes:STUCK", "someone-else", "PX", "60000");
    long t0 = System.nanoTime();
    assertThat(cache.getOrLoad("STUCK", Quote.class, null, k -> new Quote(k, 3))).isEqualTo(new Quote("STUCK", 3));
    Duration waited = Duration.ofNanos(System.nanoTime() - t0);
    System.out.printf("getOrLoad took %d ms against a lease that never produced a value (l2_timeout + lease_time"
        + " = %d ms)%n", waited.toMillis(), LEASE.plusMillis(500).toMillis());
    // The documented bound: the first L2 read, then l2_timeout + lease_time, overrun by at most one
    // poll (20 ms plus two L2 calls); each L2 call is bounded by l2_timeout (500 ms here).
    assertThat(waited).isBetween(LEASE.plusMillis(500), LEASE.plusMillis(500 + 500 + 20 + 2 * 500 + 200));
    assertThat(metrics.value("hyperion_cache_leases_total", "quotes", "timeout")).isEqualTo(1);
  }

  /** With Redis gone there is no lease: each instance loads for itself, and says so. */
  @Test
  void withRedisDownEachInstanceLoadsLocallyAndCountsIt() throws Exception {
    RecordingMetrics metrics = new RecordingMetrics();
    Cache cache = quotes(start(metrics));
    RedisNode server = redis.nodes().get(0);
    server.kill();
    try {
      assertThat(cache.getOrLoad("DOWN", Quote.class, null, k -> new Quote(k, 5))).isEqualTo(new Quote("DOWN", 5));
      assertThat(metrics.value("hyperion_cache_leases_total", "quotes", "fallback")).isEqualTo(1);
      assertThat(metrics.value("hyperion_cache_leases_total", "quotes", "acquired")).isZero();
    } finally {
      server.start();
    }
  }
}
