package hyperion.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.SpanKind;
import hyperion.StatusCode;
import hyperion.config.CacheConfig;
import hyperion.config.CacheSpec;
import hyperion.testkit.FakeTicker;
import hyperion.testkit.InMemoryCacheManager;
import hyperion.testkit.InMemoryInvalidationBus;
import hyperion.testkit.RecordingMetrics;
import hyperion.testkit.RecordingTracer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TieredCache behaviour over two in-memory layers on a fake clock. */
class TieredCacheTest {
  static final String NAME = "users";
  static final String REQUESTS = "hyperion_cache_requests_total";

  record User(String id) {}

  static CacheSpec spec(double jitter, Duration negativeTtl) {
    return new CacheSpec(10_000, 0, Duration.ofMinutes(5), Duration.ZERO, true, jitter, negativeTtl,
        Duration.ofMillis(100), 3, Duration.ofSeconds(5));
  }

  final FakeTicker ticker = new FakeTicker();
  final InMemoryCacheManager l2 = new InMemoryCacheManager(ticker, Duration.ofMinutes(5));
  final InMemoryInvalidationBus.Hub hub = new InMemoryInvalidationBus.Hub();
  final RecordingMetrics metrics = new RecordingMetrics();
  final RecordingTracer tracer = new RecordingTracer();

  /** One service instance: its own L1 and bus, the shared L2. */
  final class Instance {
    final InMemoryCacheManager l1 = new InMemoryCacheManager(ticker, Duration.ofMinutes(5));
    final InMemoryInvalidationBus bus = hub.bus();
    final CacheManager manager;
    final Cache cache;

    Instance(CacheSpec spec) {
      manager = TieredCache.builder(l1, l2).bus(bus).config(new CacheConfig(Map.of(NAME, spec))).metrics(metrics)
          .tracer(tracer).clock(ticker).build();
      cache = manager.cache(NAME);
    }

    Cache l1() {
      return l1.cache(NAME);
    }
  }

  Instance instance() {
    return new Instance(spec(0, Duration.ZERO));
  }

  double l2(String result) {
    return metrics.value(REQUESTS, NAME, "l2", result);
  }

  @Test
  @Timeout(30)
  void hundredConcurrentLoadsRunTheLoaderOnceAndReadL2Once() throws Exception {
    Instance a = instance();
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(100);
    try {
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
    } finally {
      pool.shutdownNow();
    }
    assertThat(runs).hasValue(1);
    assertThat(l2.calls).hasValue(2); // one getEntry, one write-through put
    assertThat(l2("miss")).isEqualTo(1);
    assertThat(metrics.value("hyperion_cache_loads_total", NAME, "success")).isEqualTo(1);
  }

  @Test
  void anL2HitFillsL1ForAtMostTheRemainingTtl() {
    Instance a = instance();
    l2.cache(NAME).put("k", new User("k"), Duration.ofSeconds(10));
    ticker.advance(Duration.ofSeconds(4));
    assertThat(a.cache.get("k", User.class)).contains(new User("k"));
    assertThat(a.l1().getEntry("k", User.class)).hasValueSatisfying(
        e -> assertThat(e.ttl()).isLessThanOrEqualTo(Duration.ofSeconds(6)));
    ticker.advance(Duration.ofSeconds(7));
    assertThat(a.l1().exists("k")).isFalse();
    assertThat(a.cache.get("k", User.class)).isEmpty();
  }

  @Test
  void perEntryTtlExpiresOnTheFakeClock() {
    Instance a = instance();
    a.cache.put("short", new User("s"), Duration.ofSeconds(10));
    a.cache.put("long", new User("l"));
    ticker.advance(Duration.ofSeconds(9));
    assertThat(a.cache.get("short", User.class)).contains(new User("s"));
    ticker.advance(Duration.ofSeconds(2));
    assertThat(a.cache.get("short", User.class)).isEmpty();
    assertThat(a.l1().exists("short")).isFalse();
    assertThat(l2.cache(NAME).exists("short")).isFalse();
    assertThat(a.cache.get("long", User.class)).contains(new User("l"));
  }

  @Test
  void jitterSpreadsExpiriesWithinBounds() {
    Instance a = new Instance(spec(0.2, Duration.ZERO));
    Set<Duration> ttls = new HashSet<>();
    Duration min = Duration.ofDays(1);
    Duration max = Duration.ZERO;
    for (int i = 0; i < 500; i++) {
      a.cache.put("k" + i, new User("u" + i), Duration.ofSeconds(100));
      Duration l1Ttl = a.l1().getEntry("k" + i, User.class).orElseThrow().ttl();
      Duration l2Ttl = l2.cache(NAME).getEntry("k" + i, User.class).orElseThrow().ttl();
      assertThat(l1Ttl).isBetween(Duration.ofSeconds(80), Duration.ofSeconds(100)).isEqualTo(l2Ttl);
      ttls.add(l1Ttl);
      min = l1Ttl.compareTo(min) < 0 ? l1Ttl : min;
      max = l1Ttl.compareTo(max) > 0 ? l1Ttl : max;
    }
    assertThat(ttls).hasSizeGreaterThan(450);
    assertThat(max.minus(min)).isGreaterThan(Duration.ofSeconds(15)); // spread over most of the 20 s window
  }

  @Test
  void jitterZeroKeepsTheExactTtl() {
    Instance a = instance();
    a.cache.put("k", new User("k"), Duration.ofSeconds(100));
    assertThat(a.l1().getEntry("k", User.class).orElseThrow().ttl()).isEqualTo(Duration.ofSeconds(100));
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
      // A plain read still reports "no value", and so does exists.
      assertThat(a.cache.get("ghost", User.class)).isEmpty();
      assertThat(a.cache.get("ghost", Object.class)).isEmpty();
      assertThat(a.cache.getEntry("ghost", Object.class)).isEmpty();
      assertThat(a.cache.exists("ghost")).isFalse();
      assertThat(a.cache.getAll(List.of("ghost"), Object.class)).isEmpty();
      // The negative entry lives in L1 only.
      assertThat(l2.cache(NAME).exists("ghost")).isFalse();
    }

    @Test
    void negativeEntriesExpire() {
      a.cache.getOrLoad("ghost", User.class, null, none);
      ticker.advance(Duration.ofSeconds(29));
      a.cache.getOrLoad("ghost", User.class, null, none);
      assertThat(runs).hasValue(1);
      ticker.advance(Duration.ofSeconds(2));
      assertThat(a.cache.getOrLoad("ghost", User.class, null, k -> new User(k))).isEqualTo(new User("ghost"));
      assertThat(a.cache.get("ghost", User.class)).contains(new User("ghost"));
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
    void anL2ThatThrowsIsAMissAndCallersAreServed() {
      Instance a = instance();
      l2.failWith(new IllegalStateException("redis down"));
      a.cache.put("k", new User("k")); // swallowed for L2, still in L1
      assertThat(a.cache.get("k", User.class)).contains(new User("k"));
      assertThat(a.cache.get("absent", User.class)).isEmpty();
      assertThat(a.cache.getOrLoad("loaded", User.class, null, User::new)).isEqualTo(new User("loaded"));
      assertThat(a.cache.delete("k")).isTrue();
      assertThat(l2("error")).isEqualTo(2); // get(absent) and the getOrLoad lookup
      assertThat(metrics.value("hyperion_cache_l2_write_failures_total", NAME)).isEqualTo(3); // the breaker opens at 3
      assertThat(tracer.finished("cache.l2.get").status).isEqualTo(StatusCode.ERROR);
    }

    @Test
    @Timeout(10)
    void anL2ThatHangsDoesNotStallCallersBeyondTheTimeout() {
      Instance a = instance();
      l2.hangFor(Duration.ofSeconds(5));
      long start = System.nanoTime();
      assertThat(a.cache.getOrLoad("k", User.class, null, User::new)).isEqualTo(new User("k"));
      assertThat(a.cache.get("other", User.class)).isEmpty();
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      // Three L2 calls (lookup, write-through, lookup) of at most 100 ms each, far from the 5 s hang.
      assertThat(elapsedMs).isLessThan(2_000);
      assertThat(l2("error")).isEqualTo(2);
      assertThat(a.cache.get("k", User.class)).contains(new User("k")); // served from L1
    }

    @Test
    void theBreakerOpensAfterConsecutiveFailuresAndClosesAfterASuccessfulProbe() {
      Instance a = instance();
      TieredCache tiered = (TieredCache) a.cache;
      l2.failWith(new IllegalStateException("redis down"));
      for (int i = 0; i < 3; i++) {
        a.cache.get("miss" + i, User.class);
      }
      assertThat(tiered.breakerState()).isEqualTo(CircuitBreaker.OPEN);
      assertThat(metrics.value("hyperion_cache_breaker_open", NAME)).isEqualTo(1);
      long calls = l2.calls.get();
      a.cache.get("skipped", User.class);
      a.cache.put("skipped", new User("s"));
      assertThat(l2.calls.get()).isEqualTo(calls); // L2 is not even tried while open
      assertThat(l2("error")).isEqualTo(4);

      // Cool-down over but L2 still down: one probe, which fails and reopens.
      ticker.advance(Duration.ofSeconds(5));
      a.cache.get("probe1", User.class);
      assertThat(l2.calls.get()).isEqualTo(calls + 1);
      assertThat(tiered.breakerState()).isEqualTo(CircuitBreaker.OPEN);
      a.cache.get("probe1b", User.class);
      assertThat(l2.calls.get()).isEqualTo(calls + 1);

      // L2 heals: after the next cool-down the probe succeeds and the breaker closes.
      l2.failWith(null);
      ticker.advance(Duration.ofSeconds(5));
      a.cache.get("probe2", User.class);
      assertThat(tiered.breakerState()).isEqualTo(CircuitBreaker.CLOSED);
      assertThat(metrics.value("hyperion_cache_breaker_open", NAME)).isZero();
      a.cache.put("after", new User("after"));
      assertThat(l2.cache(NAME).get("after", User.class)).contains(new User("after"));
    }

    @Test
    void successesResetTheFailureCount() {
      Instance a = instance();
      TieredCache tiered = (TieredCache) a.cache;
      for (int round = 0; round < 3; round++) {
        l2.failWith(new IllegalStateException("blip"));
        a.cache.get("x", User.class);
        a.cache.get("y", User.class);
        l2.failWith(null);
        a.cache.get("z", User.class);
      }
      assertThat(tiered.breakerState()).isEqualTo(CircuitBreaker.CLOSED);
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
      assertThat(b.l1().exists("k")).isTrue();
      a.cache.put("k", new User("v2"));
      assertThat(b.l1().exists("k")).isFalse();
      assertThat(b.cache.get("k", User.class)).contains(new User("v2"));
      a.cache.delete("k");
      assertThat(b.l1().exists("k")).isFalse();
      assertThat(b.cache.get("k", User.class)).isEmpty();
      assertThat(a.bus.published).containsExactly(NAME + "/k", NAME + "/k", NAME + "/k");
    }

    @Test
    void aClearOnOneInstanceClearsTheOthersL1() {
      Instance a = instance();
      Instance b = instance();
      b.cache.put("k", new User("v1"));
      a.cache.clear();
      assertThat(b.l1().exists("k")).isFalse();
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
      assertThat(b.l1().exists("k")).isFalse();
      assertThat(b.cache.get("k", User.class)).contains(new User("v2"));
    }

    @Test
    @Timeout(10)
    void aValueLoadedBeforeAnInvalidationIsNotCachedAfterIt() throws Exception {
      Instance a = instance();
      CountDownLatch loading = new CountDownLatch(1);
      CountDownLatch invalidated = new CountDownLatch(1);
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<User> f = pool.submit(() -> a.cache.getOrLoad("k", User.class, null, k -> {
          loading.countDown();
          invalidated.await();
          return new User("old");
        }));
        loading.await();
        ((TieredManager) a.manager).invalidate(NAME, "k");
        invalidated.countDown();
        assertThat(f.get()).isEqualTo(new User("old"));
      } finally {
        pool.shutdownNow();
      }
      assertThat(a.l1().exists("k")).isFalse();
    }
  }

  @Test
  void metricsCountL2HitsMissesAndErrorsExactly() {
    Instance a = instance();
    a.cache.put("a", new User("a"));
    a.cache.get("a", User.class); // L1 hit: L2 not asked
    a.cache.get("b", User.class); // L2 miss
    l2.cache(NAME).put("c", new User("c"));
    a.cache.get("c", User.class); // L2 hit, fills L1
    a.cache.get("c", User.class); // L1 hit
    a.cache.getOrLoad("d", User.class, null, User::new); // L2 miss, load
    a.cache.getOrLoad("d", User.class, null, User::new); // L1 hit
    l2.failWith(new IllegalStateException("down"));
    a.cache.get("e", User.class); // L2 error
    assertThat(l2("hit")).isEqualTo(1);
    assertThat(l2("miss")).isEqualTo(2);
    assertThat(l2("error")).isEqualTo(1);
    assertThat(metrics.value("hyperion_cache_loads_total", NAME, "success")).isEqualTo(1);
    assertThat(metrics.count("hyperion_cache_load_duration_seconds", NAME)).isEqualTo(1);
  }

  @Test
  void spansWrapL2CallsAndLoaderRunsButNotL1Hits() {
    Instance a = instance();
    a.cache.getOrLoad("k", User.class, null, User::new);
    assertThat(tracer.finished()).extracting(s -> s.name + ":" + s.kind)
        .containsExactly("cache.l2.get:" + SpanKind.INTERNAL, "cache.load:" + SpanKind.INTERNAL,
            "cache.l2.put:" + SpanKind.INTERNAL);
    int before = tracer.finished().size();
    a.cache.getOrLoad("k", User.class, null, User::new);
    a.cache.get("k", User.class);
    assertThat(tracer.finished()).hasSize(before);
  }

  @Test
  void aFailingLoaderIsRecordedOnItsSpanAndCountedAsAFailure() {
    Instance a = instance();
    assertThatThrownBy(() -> a.cache.getOrLoad("k", User.class, null, k -> {
      throw new IllegalStateException("db down");
    })).hasMessage("db down");
    assertThat(tracer.finished("cache.load").error).hasMessage("db down");
    assertThat(metrics.value("hyperion_cache_loads_total", NAME, "failure")).isEqualTo(1);
    assertThat(a.cache.exists("k")).isFalse();
  }

  @Test
  void getAllReadsMissingKeysFromL2InOneCall() {
    Instance a = instance();
    a.cache.put("a", new User("a"));
    l2.cache(NAME).put("b", new User("b"));
    long calls = l2.calls.get();
    assertThat(a.cache.getAll(List.of("a", "b", "c"), User.class))
        .containsExactly(Map.entry("a", new User("a")), Map.entry("b", new User("b")));
    assertThat(l2("hit")).isEqualTo(1);
    assertThat(l2("miss")).isEqualTo(1);
    assertThat(l2.calls.get() - calls).isEqualTo(2); // InMemory getAll counts one call per key
  }

  @Test
  void aManagerReturnsOneCachePerName() {
    Instance a = instance();
    assertThat(a.manager.cache(NAME)).isSameAs(a.cache);
    assertThat(a.manager.cache("other")).isNotSameAs(a.cache);
  }
}
