package hyperion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hyperion.cache.RemoteLayer;
import hyperion.config.CacheConfig;
import hyperion.config.CacheSpec;
import hyperion.testkit.FakeTicker;
import hyperion.testkit.InMemoryInvalidationBus;
import hyperion.testkit.InMemoryLocalLayer;
import hyperion.testkit.InMemoryRemoteLayer;
import hyperion.testkit.RecordingMetrics;
import hyperion.testkit.RecordingTracer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The tier over in-memory layers: L1 and the breaker on a fake clock, a shared in-memory L2. */
class TieredCacheTest {
  static final String NAME = "users";
  static final String REQUESTS = "hyperion_cache_requests_total";

  record User(String id) {}

  static CacheSpec spec(double jitter, Duration negativeTtl) {
    return new CacheSpec(10_000, 0, Duration.ofMinutes(5), Duration.ZERO, true, jitter, negativeTtl,
        Duration.ofMillis(100), 3, Duration.ofSeconds(5), Duration.ofSeconds(30), CacheSpec.Layers.ALL);
  }

  final FakeTicker ticker = new FakeTicker();
  final InMemoryRemoteLayer.Server l2 = new InMemoryRemoteLayer.Server();
  final RemoteLayer direct = l2.create(NAME, CacheSpec.DEFAULTS); // the shared L2, bypassing every tier
  final InMemoryInvalidationBus.Hub hub = new InMemoryInvalidationBus.Hub();
  final RecordingMetrics metrics = new RecordingMetrics();
  final RecordingTracer tracer = new RecordingTracer();
  final ExecutorService pool = Executors.newCachedThreadPool();

  /** One service instance: its own L1 and bus, the shared L2. */
  final class Instance {
    final InMemoryLocalLayer.Factory l1 = new InMemoryLocalLayer.Factory(ticker);
    final InMemoryInvalidationBus bus = hub.bus();
    final TieredCacheManager manager;
    final TieredCache cache;

    Instance(CacheSpec spec) {
      manager = new TieredCacheManager(new CacheConfig(Map.of(NAME, spec)), l1, l2, bus, metrics, tracer, ticker);
      cache = (TieredCache) manager.cache(NAME);
    }

    InMemoryLocalLayer l1() {
      return l1.layers.get(NAME);
    }

    boolean inL1(String key) {
      return l1().get(key) != null;
    }
  }

  Instance instance() {
    return new Instance(spec(0, Duration.ZERO));
  }

  double l2(String result) {
    return metrics.value(REQUESTS, NAME, "l2", result);
  }

  Object inL2(String key) {
    return l2.peek(NAME, key);
  }

  /** Waits (bounded) for background L2 work, e.g. a load's write-back. */
  void awaitL2(String key, Object expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!java.util.Objects.equals(inL2(key), expected) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(inL2(key)).isEqualTo(expected);
  }

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  /**
   * distributed_load: the lease holder (another instance, played by this test) writes its value
   * and releases the lease between a waiter's last read and its next lease command, so that
   * command succeeds. The waiter must read L2 once more and take the value, not load again.
   */
  @Test
  @Timeout(30)
  void aWaiterThatGetsTheLeaseAfterTheHolderWroteTakesTheValueInsteadOfLoading() throws Exception {
    CacheSpec leased = new CacheSpec(10_000, 0, Duration.ofMinutes(5), Duration.ZERO, true, 0, Duration.ZERO,
        Duration.ofMillis(500), 3, Duration.ofSeconds(5), Duration.ofSeconds(30), CacheSpec.Layers.ALL,
        Duration.ZERO, Duration.ZERO, true, Duration.ofSeconds(2), 0);
    AtomicInteger leaseCalls = new AtomicInteger();
    RemoteLayer.Factory racing = (name, spec) -> new ForwardingRemoteLayer(l2.create(name, spec)) {
      @Override
      public java.util.concurrent.CompletionStage<Boolean> tryLease(String key, String token, long leaseMillis) {
        if (leaseCalls.incrementAndGet() == 1) {
          return java.util.concurrent.CompletableFuture.completedFuture(false); // the other instance holds it
        }
        // The holder finished just now: its value is in L2 and its lease is gone, so this one succeeds.
        return direct.put(key, new User("from the holder"), 60_000).thenApply(v -> true);
      }

      @Override
      public java.util.concurrent.CompletionStage<Boolean> releaseLease(String key, String token) {
        return java.util.concurrent.CompletableFuture.completedFuture(true);
      }
    };
    TieredCacheManager manager = new TieredCacheManager(new CacheConfig(Map.of(NAME, leased)),
        new InMemoryLocalLayer.Factory(ticker), racing, hub.bus(), metrics, tracer, ticker);
    AtomicInteger loads = new AtomicInteger();

    User got = manager.cache(NAME).getOrLoad("k", User.class, null, k -> {
      loads.incrementAndGet();
      return new User("loaded here");
    });

    assertThat(got).isEqualTo(new User("from the holder"));
    assertThat(loads).as("loader runs").hasValue(0);
    assertThat(leaseCalls).hasValue(2);
    assertThat(metrics.value("hyperion_cache_leases_total", NAME, "waited")).isEqualTo(1);
    assertThat(metrics.value("hyperion_cache_leases_total", NAME, "taken_over")).isZero();
  }

  @Test
  @Timeout(30)
  void hundredConcurrentLoadsRunTheLoaderOnceAndReadL2Once() throws Exception {
    Instance a = instance();
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<User>> results = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      results.add(pool.submit(() -> {
        go.await();
        return a.cache.getOrLoad("hot", User.class, null, k -> {
          runs.incrementAndGet();
          Thread.sleep(300);
          return new User(k);
        });
      }));
    }
    go.countDown();
    for (Future<User> f : results) {
      assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo(new User("hot"));
    }
    awaitL2("hot", new User("hot"));
    assertThat(runs).hasValue(1);
    assertThat(l2.calls).hasValue(2); // one read, one write-back
    assertThat(l2("miss")).isEqualTo(1);
    assertThat(metrics.value("hyperion_cache_loads_total", NAME, "success")).isEqualTo(1);
  }

  @Test
  void anL2HitFillsL1ForAtMostTheRemainingTtl() throws Exception {
    Instance a = instance();
    direct.put("k", new User("k"), 2_000).toCompletableFuture().get();
    assertThat(a.cache.get("k", User.class)).contains(new User("k"));
    assertThat(a.l1().remainingNanos("k")).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2).toNanos());
    assertThat(a.cache.getEntry("k", User.class)).hasValueSatisfying(
        e -> assertThat(e.ttl()).isLessThanOrEqualTo(Duration.ofSeconds(2)));
    ticker.advance(Duration.ofSeconds(3));
    assertThat(a.inL1("k")).isFalse();
  }

  @Test
  void perEntryTtlAppliesToBothLayers() throws Exception {
    Instance a = instance();
    a.cache.put("short", new User("s"), Duration.ofSeconds(10));
    a.cache.put("long", new User("l"));
    assertThat(a.l1().remainingNanos("short")).isEqualTo(Duration.ofSeconds(10).toNanos());
    ticker.advance(Duration.ofSeconds(11));
    assertThat(a.inL1("short")).isFalse();
    assertThat(a.inL1("long")).isTrue();
    assertThat(direct.get("short").toCompletableFuture().get().expiresAtMillis())
        .isBetween(System.currentTimeMillis() + 8_000, System.currentTimeMillis() + 10_000);
  }

  @Test
  void jitterSpreadsExpiriesWithinBounds() {
    Instance a = new Instance(spec(0.2, Duration.ZERO));
    Set<Long> ttls = new HashSet<>();
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 500; i++) {
      a.cache.put("k" + i, new User("u" + i), Duration.ofSeconds(100));
      long ttl = a.l1().remainingNanos("k" + i);
      assertThat(Duration.ofNanos(ttl)).isBetween(Duration.ofSeconds(80), Duration.ofSeconds(100));
      ttls.add(ttl);
      min = Math.min(min, ttl);
      max = Math.max(max, ttl);
    }
    assertThat(ttls).hasSizeGreaterThan(450);
    assertThat(Duration.ofNanos(max - min)).isGreaterThan(Duration.ofSeconds(15));
  }

  @Nested
  class Loads {
    @Test
    void aLoadedValueIsWrittenBackToL2AndL1() throws Exception {
      Instance a = instance();
      assertThat(a.cache.getOrLoad("k", User.class, null, User::new)).isEqualTo(new User("k"));
      assertThat(a.inL1("k")).isTrue();
      awaitL2("k", new User("k"));
    }

    @Test
    @Timeout(10)
    void aLoadNeverOverwritesAWriteMadeWhileItRan() throws Exception {
      Instance a = instance();
      Instance b = instance();
      CountDownLatch loading = new CountDownLatch(1);
      CountDownLatch written = new CountDownLatch(1);
      Future<User> load = pool.submit(() -> b.cache.getOrLoad("k", User.class, null, k -> {
        loading.countDown();
        written.await();
        return new User("v1-from-the-database-before-the-write");
      }));
      loading.await();
      a.cache.put("k", new User("v2"));
      written.countDown();
      assertThat(load.get()).isEqualTo(new User("v1-from-the-database-before-the-write"));
      Thread.sleep(100); // give a (wrong) write-back time to land
      assertThat(inL2("k")).isEqualTo(new User("v2"));
      assertThat(b.inL1("k")).isFalse();
      assertThat(b.cache.get("k", User.class)).contains(new User("v2"));
      assertThat(a.cache.get("k", User.class)).contains(new User("v2"));
    }

    @Test
    @Timeout(10)
    void aLoadNeverUndoesADeleteMadeWhileItRan() throws Exception {
      Instance a = instance();
      Instance b = instance();
      a.cache.put("k", new User("old"));
      b.l1().invalidate("k");
      direct.delete("k", 30_000).toCompletableFuture().get(); // expired meanwhile, say
      CountDownLatch loading = new CountDownLatch(1);
      CountDownLatch deleted = new CountDownLatch(1);
      Future<User> load = pool.submit(() -> b.cache.getOrLoad("k", User.class, null, k -> {
        loading.countDown();
        deleted.await();
        return new User("read-before-the-delete");
      }));
      loading.await();
      a.cache.delete("k");
      deleted.countDown();
      load.get();
      Thread.sleep(100);
      assertThat(inL2("k")).isNull();
      assertThat(b.inL1("k")).isFalse();
    }

    @Test
    @Timeout(10)
    void callersArrivingAfterAWriteDoNotJoinALoadThatBeganBeforeIt() throws Exception {
      // L2 only, so nothing in L1 hides the race.
      TieredCacheManager manager = new TieredCacheManager(new CacheConfig(Map.of(NAME, spec(0, Duration.ZERO))), null,
          l2, null, metrics, tracer, ticker);
      Cache cache = manager.cache(NAME);
      CountDownLatch loading = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Future<User> slow = pool.submit(() -> cache.getOrLoad("k", User.class, null, k -> {
        loading.countDown();
        release.await();
        return new User("old");
      }));
      loading.await();
      cache.put("k", new User("new"));
      // Without the epoch check this caller would wait for the old load and get "old".
      assertThat(cache.getOrLoad("k", User.class, null, k -> new User("loaded-after"))).isEqualTo(new User("new"));
      release.countDown();
      assertThat(slow.get()).isEqualTo(new User("old"));
      assertThat(cache.get("k", User.class)).contains(new User("new"));
    }

    @Test
    void anUndecodableEntryIsAMissCountedAndReplacedByTheLoad() throws Exception {
      Instance a = instance();
      direct.put("k", "not a user", 60_000).toCompletableFuture().get();
      assertThat(a.cache.getOrLoad("k", User.class, null, User::new)).isEqualTo(new User("k"));
      assertThat(metrics.value("hyperion_cache_l2_value_errors_total", NAME, "decode")).isEqualTo(1);
      assertThat(l2("miss")).isEqualTo(1);
      awaitL2("k", new User("k"));
    }

    @Test
    void aFailingLoaderIsRecordedOnItsSpanAndCountedAsAFailure() {
      Instance a = instance();
      assertThatThrownBy(() -> a.cache.getOrLoad("k", User.class, null, k -> {
        throw new IllegalStateException("db down");
      })).hasMessage("db down");
      assertThat(tracer.finished("cache.load").error).hasMessage("db down");
      assertThat(metrics.value("hyperion_cache_loads_total", NAME, "error")).isEqualTo(1);
      assertThat(a.cache.exists("k")).isFalse();
    }
  }

  @Nested
  class NegativeCaching {
    final Instance a = new Instance(spec(0, Duration.ofSeconds(30)));
    final AtomicInteger runs = new AtomicInteger();
    final Cache.Loader<User> none = k -> {
      runs.incrementAndGet();
      return null;
    };

    @Test
    void absenceIsCachedAndDistinguishableFromAMiss() {
      assertThat(a.cache.getOrLoad("ghost", User.class, null, none)).isNull();
      assertThat(a.cache.getOrLoad("ghost", User.class, null, none)).isNull();
      assertThat(runs).hasValue(1);
      assertThat(a.cache.get("ghost", User.class)).isEmpty();
      assertThat(a.cache.get("ghost", Object.class)).isEmpty();
      assertThat(a.cache.getEntry("ghost", Object.class)).isEmpty();
      assertThat(a.cache.exists("ghost")).isFalse();
      assertThat(a.cache.getAll(List.of("ghost"), Object.class)).isEmpty();
      assertThat(inL2("ghost")).isNull(); // L1 only
    }

    @Test
    void negativeEntriesExpire() {
      a.cache.getOrLoad("ghost", User.class, null, none);
      ticker.advance(Duration.ofSeconds(29));
      a.cache.getOrLoad("ghost", User.class, null, none);
      assertThat(runs).hasValue(1);
      ticker.advance(Duration.ofSeconds(2));
      assertThat(a.cache.getOrLoad("ghost", User.class, null, User::new)).isEqualTo(new User("ghost"));
    }

    @Test
    void aPutReplacesANegativeEntry() {
      a.cache.getOrLoad("ghost", User.class, null, none);
      a.cache.put("ghost", new User("now"));
      assertThat(a.cache.getOrLoad("ghost", User.class, null, none)).isEqualTo(new User("now"));
      assertThat(runs).hasValue(1);
    }
  }

  @Nested
  class L2Failures {
    @Test
    void anL2ThatFailsIsAMissAndCallersAreServed() {
      Instance a = instance();
      l2.failWith(new IllegalStateException("redis down"));
      a.cache.put("k", new User("k")); // L2 write fails, L1 still written
      assertThat(a.cache.get("k", User.class)).contains(new User("k"));
      assertThat(a.cache.get("absent", User.class)).isEmpty();
      assertThat(a.cache.getOrLoad("loaded", User.class, null, User::new)).isEqualTo(new User("loaded"));
      assertThat(a.cache.delete("k")).isTrue();
      assertThat(l2("error")).isEqualTo(2); // get(absent), the getOrLoad lookup
      // put failed (1), the breaker opened at the 3rd failure, so delete was skipped (2).
      assertThat(metrics.value("hyperion_cache_l2_write_failures_total", NAME)).isEqualTo(2);
      assertThat(a.cache.breakerState()).isEqualTo(CircuitBreaker.OPEN);
      assertThat(tracer.finished("cache.l2.get").status).isEqualTo(StatusCode.ERROR);
    }

    @Test
    @Timeout(20)
    void aHungL2BoundsEveryCallByTheTimeoutAndOpensTheBreaker() {
      Instance a = new Instance(new CacheSpec(10_000, 0, Duration.ofMinutes(5), Duration.ZERO, true, 0,
          Duration.ZERO, Duration.ofMillis(100), 1_000, Duration.ofSeconds(5), Duration.ofSeconds(30), CacheSpec.Layers.ALL));
      l2.commandTimeout = Duration.ofSeconds(3);
      l2.blackhole(true);
      Map<String, User> batch = new LinkedHashMap<>();
      for (int i = 0; i < 1_000; i++) {
        batch.put("b" + i, new User("b" + i));
      }
      long worst = 0;
      for (int i = 0; i < 5; i++) {
        long t0 = System.nanoTime();
        assertThat(a.cache.getOrLoad("k" + i, User.class, null, User::new)).isEqualTo(new User("k" + i));
        a.cache.get("g" + i, User.class);
        a.cache.put("p" + i, new User("p"));
        a.cache.delete("d" + i);
        a.cache.putAll(batch, null);
        worst = Math.max(worst, (System.nanoTime() - t0) / 5);
      }
      // Each call waits at most l2_timeout (100 ms) on L2; 5 calls per round.
      assertThat(Duration.ofNanos(worst)).isLessThan(Duration.ofMillis(100 + 50));
      assertThat(metrics.value("hyperion_cache_l2_timeouts_total", NAME, "get")).isEqualTo(10);
      assertThat(metrics.value("hyperion_cache_l2_timeouts_total", NAME, "put_all")).isEqualTo(5);
      assertThat(l2("error")).isEqualTo(10);
      assertThat(a.cache.get("p1", User.class)).contains(new User("p")); // L1 kept the writes
    }

    @Test
    void theBreakerOpensAfterConsecutiveFailuresAndClosesAfterASuccessfulProbe() throws Exception {
      Instance a = instance();
      l2.failWith(new IllegalStateException("redis down"));
      for (int i = 0; i < 3; i++) {
        a.cache.get("miss" + i, User.class);
      }
      assertThat(a.cache.breakerState()).isEqualTo(CircuitBreaker.OPEN);
      assertThat(metrics.value("hyperion_cache_breaker_open", NAME)).isEqualTo(1);
      long calls = l2.calls.get();
      a.cache.get("skipped", User.class);
      a.cache.put("skipped", new User("s"));
      assertThat(l2.calls.get()).isEqualTo(calls); // L2 is not even tried while open
      assertThat(l2("error")).isEqualTo(4);

      ticker.advance(Duration.ofSeconds(5));
      a.cache.get("probe1", User.class); // one probe, which fails and reopens
      assertThat(l2.calls.get()).isEqualTo(calls + 1);
      assertThat(a.cache.breakerState()).isEqualTo(CircuitBreaker.OPEN);
      a.cache.get("probe1b", User.class);
      assertThat(l2.calls.get()).isEqualTo(calls + 1);

      l2.failWith(null);
      ticker.advance(Duration.ofSeconds(5));
      a.cache.get("probe2", User.class);
      assertThat(a.cache.breakerState()).isEqualTo(CircuitBreaker.CLOSED);
      assertThat(metrics.value("hyperion_cache_breaker_open", NAME)).isZero();
      a.cache.put("after", new User("after"));
      assertThat(inL2("after")).isEqualTo(new User("after"));
    }

    @Test
    void successesResetTheFailureCount() {
      Instance a = instance();
      for (int round = 0; round < 3; round++) {
        l2.failWith(new IllegalStateException("blip"));
        a.cache.get("x", User.class);
        a.cache.get("y", User.class);
        l2.failWith(null);
        a.cache.get("z", User.class);
      }
      assertThat(a.cache.breakerState()).isEqualTo(CircuitBreaker.CLOSED);
    }

    @Test
    void aRefusedValueIsCountedButIsNoFailureOfL2() {
      Instance a = instance();
      for (int i = 0; i < 5; i++) {
        a.cache.put("big", InMemoryRemoteLayer.TOO_LARGE);
      }
      assertThat(metrics.value("hyperion_cache_l2_value_errors_total", NAME, "too_large")).isEqualTo(5);
      assertThat(metrics.value("hyperion_cache_l2_write_failures_total", NAME)).isZero();
      assertThat(a.cache.breakerState()).isEqualTo(CircuitBreaker.CLOSED);
      assertThat(a.cache.get("big", Object.class)).contains(InMemoryRemoteLayer.TOO_LARGE); // in L1
    }
  }

  @Nested
  class Coherence {
    @Test
    void aWriteOnOneInstanceEvictsTheOthersL1() {
      Instance a = instance();
      Instance b = instance();
      a.cache.put("k", new User("v1"));
      assertThat(b.cache.get("k", User.class)).contains(new User("v1"));
      assertThat(b.inL1("k")).isTrue();
      a.cache.put("k", new User("v2"));
      assertThat(b.inL1("k")).isFalse();
      assertThat(b.cache.get("k", User.class)).contains(new User("v2"));
      a.cache.delete("k");
      assertThat(b.inL1("k")).isFalse();
      assertThat(b.cache.get("k", User.class)).isEmpty();
      assertThat(a.bus.published).containsExactly(NAME + "/k", NAME + "/k", NAME + "/k");
    }

    @Test
    void aPutAllIsOneInvalidation() {
      Instance a = instance();
      a.cache.putAll(Map.of("x", new User("x"), "y", new User("y")), null);
      assertThat(a.bus.published).hasSize(1);
      assertThat(a.bus.published.get(0)).startsWith(NAME + "/").contains("x").contains("y");
    }

    @Test
    void aClearOnOneInstanceClearsTheOthersL1() {
      Instance a = instance();
      Instance b = instance();
      b.cache.put("k", new User("v1"));
      a.cache.clear();
      assertThat(b.inL1("k")).isFalse();
      assertThat(a.bus.published).containsExactly(NAME + "/*");
    }

    @Test
    void aReconnectClearsL1() {
      Instance a = instance();
      Instance b = instance();
      a.cache.put("k", new User("v1"));
      b.cache.get("k", User.class);
      hub.down(true);
      a.cache.put("k", new User("v2")); // the invalidation is lost
      assertThat(b.cache.get("k", User.class)).contains(new User("v1")); // stale, as documented
      hub.reconnect();
      assertThat(b.inL1("k")).isFalse();
      assertThat(b.cache.get("k", User.class)).contains(new User("v2"));
    }

    @Test
    @Timeout(10)
    void aSuspendedBusEmptiesL1AndKeepsCopiesNoLongerThanItsTimeoutUntilItResumes() throws Exception {
      Instance a = instance();
      Instance b = instance();
      a.cache.put("k", new User("v1"));
      b.cache.get("k", User.class);
      assertThat(b.inL1("k")).isTrue();
      b.manager.suspended(Duration.ofSeconds(3));
      assertThat(b.inL1("k")).isFalse();
      // Reads, writes, loads and putAll fill L1 again, each copy for at most the 3 s.
      assertThat(b.cache.get("k", User.class)).contains(new User("v1"));
      b.cache.put("w", new User("w"));
      assertThat(b.cache.getOrLoad("l", User.class, null, User::new)).isEqualTo(new User("l"));
      b.cache.putAll(Map.of("p1", new User("p1"), "p2", new User("p2")), null);
      assertThat(List.of("k", "w", "l", "p1", "p2")).allMatch(b::inL1);
      assertThat(b.l1().remainingNanos("w")).isBetween(1L, Duration.ofSeconds(3).toNanos());
      assertThat(inL2("w")).isEqualTo(new User("w"));
      awaitL2("l", new User("l"));
      ticker.advance(Duration.ofSeconds(3).plusMillis(1));
      assertThat(List.of("k", "w", "l", "p1", "p2")).noneMatch(b::inL1);
      a.cache.put("k", new User("v2")); // delivered or not, b's copy is gone: b reads L2
      assertThat(b.cache.get("k", User.class)).contains(new User("v2"));

      b.manager.resumed();
      b.cache.put("w", new User("w2"));
      assertThat(b.inL1("w")).isTrue();
      assertThat(b.l1().remainingNanos("w")).isGreaterThan(Duration.ofSeconds(3).toNanos());
    }

    @Test
    @Timeout(10)
    void aValueLoadedBeforeAnInvalidationIsNotCachedAfterIt() throws Exception {
      Instance a = instance();
      CountDownLatch loading = new CountDownLatch(1);
      CountDownLatch invalidated = new CountDownLatch(1);
      Future<User> f = pool.submit(() -> a.cache.getOrLoad("k", User.class, null, k -> {
        loading.countDown();
        invalidated.await();
        return new User("old");
      }));
      loading.await();
      a.manager.invalidate(NAME, "k");
      invalidated.countDown();
      assertThat(f.get()).isEqualTo(new User("old"));
      assertThat(a.inL1("k")).isFalse();
    }
  }

  @Test
  void metricsCountEachLayersHitsMissesAndErrorsExactly() throws Exception {
    Instance a = instance();
    a.cache.put("a", new User("a"));
    a.cache.get("a", User.class); // L1 hit: L2 not asked
    a.cache.get("b", User.class); // L1 miss, L2 miss
    direct.put("c", new User("c"), 60_000).toCompletableFuture().get();
    a.cache.get("c", User.class); // L1 miss, L2 hit, fills L1
    a.cache.get("c", User.class); // L1 hit
    a.cache.getOrLoad("d", User.class, null, User::new); // L1 miss, L2 miss, load
    a.cache.getOrLoad("d", User.class, null, User::new); // L1 hit
    l2.failWith(new IllegalStateException("down"));
    a.cache.get("e", User.class); // L1 miss, L2 error
    assertThat(metrics.value(REQUESTS, NAME, "l1", "hit")).isEqualTo(3);
    assertThat(metrics.value(REQUESTS, NAME, "l1", "miss")).isEqualTo(4);
    assertThat(l2("hit")).isEqualTo(1);
    assertThat(l2("miss")).isEqualTo(2);
    assertThat(l2("error")).isEqualTo(1);
    assertThat(metrics.value("hyperion_cache_loads_total", NAME, "success")).isEqualTo(1);
    assertThat(metrics.count("hyperion_cache_load_duration_seconds", NAME)).isEqualTo(1);
    assertThat(metrics.count("hyperion_cache_l2_duration_seconds", NAME, "get")).isEqualTo(4);
    assertThat(metrics.value("hyperion_cache_size", NAME)).isEqualTo(3);
  }

  @Test
  void withoutRecordStatsL1IsNotCounted() {
    Instance a = new Instance(new CacheSpec(10_000, 0, Duration.ofMinutes(5), Duration.ZERO, false, 0,
        Duration.ZERO, Duration.ofMillis(100), 3, Duration.ofSeconds(5), Duration.ofSeconds(30), CacheSpec.Layers.ALL));
    a.cache.put("a", new User("a"));
    a.cache.get("a", User.class);
    a.cache.get("b", User.class);
    assertThat(metrics.value(REQUESTS, NAME, "l1", "hit")).isZero();
    assertThat(metrics.value(REQUESTS, NAME, "l1", "miss")).isZero();
    assertThat(l2("miss")).isEqualTo(1);
  }

  @Test
  void oneClientSpanPerL2CallAndALoadSpanButNoneForL1Hits() {
    Instance a = instance();
    a.cache.getOrLoad("k", User.class, null, User::new);
    assertThat(tracer.finished()).extracting(s -> s.name + ":" + s.kind)
        .containsExactly("cache.l2.get:" + SpanKind.CLIENT, "cache.load:" + SpanKind.INTERNAL);
    assertThat(tracer.finished("cache.l2.get").attributes).containsEntry("cache.name", NAME)
        .containsEntry("cache.operation", "get").containsEntry("db.system.name", "in-memory");
    int before = tracer.finished().size();
    a.cache.getOrLoad("k", User.class, null, User::new);
    a.cache.get("k", User.class);
    assertThat(tracer.finished()).hasSize(before);
  }

  @Test
  void getAllReadsMissingKeysFromL2InOneCallAndCopiesThemIntoL1() throws Exception {
    Instance a = instance();
    a.cache.put("a", new User("a"));
    direct.put("b", new User("b"), 60_000).toCompletableFuture().get();
    long calls = l2.calls.get();
    assertThat(a.cache.getAll(List.of("c", "b", "a"), User.class))
        .containsExactly(Map.entry("b", new User("b")), Map.entry("a", new User("a")));
    assertThat(l2.calls.get() - calls).isEqualTo(1);
    assertThat(l2("hit")).isEqualTo(1);
    assertThat(l2("miss")).isEqualTo(1);
    assertThat(a.inL1("b")).isTrue();
  }

  @Test
  void aManagerReturnsOneCachePerNameAndChecksNames() {
    Instance a = instance();
    assertThat(a.manager.cache(NAME)).isSameAs(a.cache);
    assertThat(a.manager.cache("other")).isNotSameAs(a.cache);
    assertThatThrownBy(() -> a.manager.cache("a:b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a:b'");
    assertThatThrownBy(() -> a.manager.cache("")).isInstanceOf(IllegalArgumentException.class);
    for (String spaced : List.of("a b", "a\tb", "a\u00a0b", "a\u2003b", "a\u3000b")) {
      assertThatThrownBy(() -> a.manager.cache(spaced)).as(spaced).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("without ':' or whitespace");
    }
    assertThatThrownBy(() -> a.manager.cache(null)).isInstanceOf(NullPointerException.class);
  }

  /** A remote layer that forwards every call to another: tests override the calls they script. */
  static class ForwardingRemoteLayer implements RemoteLayer {
    private final RemoteLayer delegate;

    ForwardingRemoteLayer(RemoteLayer delegate) {
      this.delegate = delegate;
    }

    @Override public java.util.concurrent.CompletionStage<hyperion.cache.RemoteEntry> get(String key) {
      return delegate.get(key);
    }

    @Override public java.util.concurrent.CompletionStage<List<hyperion.cache.RemoteEntry>> getAll(List<String> keys) {
      return delegate.getAll(keys);
    }

    @Override public java.util.concurrent.CompletionStage<Boolean> exists(String key) {
      return delegate.exists(key);
    }

    @Override public java.util.concurrent.CompletionStage<Void> put(String key, Object value, long ttlMillis) {
      return delegate.put(key, value, ttlMillis);
    }

    @Override public java.util.concurrent.CompletionStage<Boolean> putIfUnchanged(String key, Object value,
        long ttlMillis, hyperion.cache.RemoteEntry seen) {
      return delegate.putIfUnchanged(key, value, ttlMillis, seen);
    }

    @Override public java.util.concurrent.CompletionStage<Void> putAll(Map<String, ?> entries, long ttlMillis) {
      return delegate.putAll(entries, ttlMillis);
    }

    @Override public java.util.concurrent.CompletionStage<Boolean> delete(String key, long tombstoneMillis) {
      return delegate.delete(key, tombstoneMillis);
    }

    @Override public java.util.concurrent.CompletionStage<Void> clear() {
      return delegate.clear();
    }

    @Override public java.util.concurrent.CompletionStage<Boolean> tryLease(String key, String token, long leaseMillis) {
      return delegate.tryLease(key, token, leaseMillis);
    }

    @Override public java.util.concurrent.CompletionStage<Boolean> releaseLease(String key, String token) {
      return delegate.releaseLease(key, token);
    }

    @Override public Map<String, Object> spanAttributes() {
      return delegate.spanAttributes();
    }
  }
}
