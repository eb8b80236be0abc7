package hyperion.caffeine;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.HyperionModule;
import hyperion.L1;
import hyperion.Metrics;
import hyperion.config.CacheConfig;
import hyperion.config.CacheSpec;
import hyperion.config.Config;
import hyperion.testkit.FakeTicker;
import hyperion.testkit.RecordingMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Caffeine L1 specifics: expiry on a fake ticker, bounds, statistics, the module's bindings. */
class CaffeineCacheTest {
  static final String REQUESTS = "hyperion_cache_requests_total";

  record Item(String id, String payload) {}

  final FakeTicker ticker = new FakeTicker();
  final RecordingMetrics metrics = new RecordingMetrics();

  static CacheSpec spec(long maxEntries, long maxWeight, Duration ttl, Duration idle, boolean stats) {
    return new CacheSpec(maxEntries, maxWeight, ttl, idle, stats, 0.1, Duration.ZERO, Duration.ofMillis(250), 5,
        Duration.ofSeconds(5));
  }

  CaffeineCache cache(CacheSpec spec) {
    CaffeineCacheManager manager = new CaffeineCacheManager(new CacheConfig(Map.of("c", spec)), metrics,
        ticker::read, EstimatingWeigher.INSTANCE, Runnable::run);
    return (CaffeineCache) manager.cache("c");
  }

  CaffeineCache defaults() {
    return cache(spec(10_000, 0, Duration.ofMinutes(5), Duration.ZERO, true));
  }

  @Test
  void perEntryTtlExpiresOnTheTicker() {
    CaffeineCache c = defaults();
    c.put("short", "s", Duration.ofSeconds(10));
    c.put("default", "d");
    ticker.advance(Duration.ofSeconds(9));
    assertThat(c.get("short", String.class)).contains("s");
    assertThat(c.getEntry("short", String.class).orElseThrow().ttl()).isEqualTo(Duration.ofSeconds(1));
    ticker.advance(Duration.ofSeconds(2));
    assertThat(c.get("short", String.class)).isEmpty();
    assertThat(c.exists("short")).isFalse();
    ticker.advance(Duration.ofMinutes(5));
    assertThat(c.exists("default")).isFalse();
  }

  @Test
  void anOverwriteGetsItsOwnTtl() {
    CaffeineCache c = defaults();
    c.put("k", "a", Duration.ofSeconds(10));
    c.put("k", "b", Duration.ofSeconds(100));
    ticker.advance(Duration.ofSeconds(50));
    assertThat(c.get("k", String.class)).contains("b");
  }

  @Test
  void expireAfterAccessDropsIdleEntriesButNeverExtendsTheTtl() {
    CaffeineCache c = cache(spec(100, 0, Duration.ofSeconds(100), Duration.ofSeconds(10), true));
    c.put("idle", "i");
    c.put("busy", "b");
    for (int i = 0; i < 12; i++) { // read every 8 s for 96 s: never idle for 10 s
      ticker.advance(Duration.ofSeconds(8));
      assertThat(c.get("busy", String.class)).contains("b");
    }
    assertThat(c.exists("idle")).isFalse();
    ticker.advance(Duration.ofSeconds(5)); // 101 s: past the TTL although recently read
    assertThat(c.get("busy", String.class)).isEmpty();
  }

  @Test
  void maxEntriesEvictsAndCountsEvictionsBySize() {
    CaffeineCache c = cache(spec(10, 0, Duration.ofMinutes(5), Duration.ZERO, true));
    for (int i = 0; i < 50; i++) {
      c.put("k" + i, "v" + i);
    }
    c.cleanUp();
    assertThat(metrics.value("hyperion_cache_size", "c")).isLessThanOrEqualTo(10);
    assertThat(metrics.value("hyperion_cache_evictions_total", "c", "size")).isEqualTo(40);
  }

  @Test
  void expiredEntriesAreCountedAsExpiredEvictions() {
    CaffeineCache c = defaults();
    c.put("a", "a", Duration.ofSeconds(1));
    c.put("b", "b", Duration.ofSeconds(1));
    ticker.advance(Duration.ofSeconds(2));
    c.cleanUp();
    assertThat(metrics.value("hyperion_cache_evictions_total", "c", "expired")).isEqualTo(2);
    assertThat(metrics.value("hyperion_cache_size", "c")).isZero();
  }

  @Test
  void maxWeightBoundsByTheWeigher() {
    CaffeineCache c = cache(spec(10_000, 10_000, Duration.ofMinutes(5), Duration.ZERO, true));
    String kb = "x".repeat(1_000);
    for (int i = 0; i < 100; i++) {
      c.put("k" + i, new Item("i" + i, kb));
    }
    c.cleanUp();
    double weight = metrics.value("hyperion_cache_weight", "c");
    assertThat(weight).isPositive().isLessThanOrEqualTo(10_000);
    assertThat(metrics.value("hyperion_cache_size", "c")).isLessThan(12); // ~1 KB items in 10 KB
    assertThat(metrics.value("hyperion_cache_evictions_total", "c", "size")).isGreaterThan(85);
  }

  @Test
  void estimatingWeigherGrowsWithTheValue() {
    int small = EstimatingWeigher.INSTANCE.weigh("k", new Item("1", "x"));
    int large = EstimatingWeigher.INSTANCE.weigh("k", new Item("1", "x".repeat(10_000)));
    assertThat(large - small).isBetween(9_000, 11_000);
    assertThat(EstimatingWeigher.INSTANCE.weigh("k", List.of("a".repeat(100), "b".repeat(100))))
        .isBetween(200, 600);
    assertThat(EstimatingWeigher.INSTANCE.weigh("k", new byte[4096])).isBetween(4096, 4200);
  }

  @Test
  void hitsAndMissesAreCountedExactly() {
    CaffeineCache c = defaults();
    c.put("a", "a");
    c.get("a", String.class); // hit
    c.get("a", Integer.class); // wrong type: miss
    c.get("b", String.class); // miss
    c.getEntry("a", String.class); // hit
    c.getOrLoad("c", String.class, null, k -> "c"); // miss + load
    c.getOrLoad("c", String.class, null, k -> "c"); // hit
    c.getAll(List.of("a", "c", "d"), String.class); // 2 hits, 1 miss
    c.exists("a"); // not a request
    assertThat(metrics.value(REQUESTS, "c", "l1", "hit")).isEqualTo(5);
    assertThat(metrics.value(REQUESTS, "c", "l1", "miss")).isEqualTo(4);
    assertThat(metrics.value("hyperion_cache_loads_total", "c", "success")).isEqualTo(1);
    assertThat(metrics.count("hyperion_cache_load_duration_seconds", "c")).isEqualTo(1);
  }

  @Test
  void failedLoadsAreCounted() {
    CaffeineCache c = defaults();
    try {
      c.getOrLoad("x", String.class, null, k -> {
        throw new IllegalStateException("no");
      });
    } catch (IllegalStateException expected) {
      // counted below
    }
    assertThat(metrics.value("hyperion_cache_loads_total", "c", "failure")).isEqualTo(1);
  }

  @Test
  void recordStatsOffRecordsNothing() {
    CaffeineCache c = cache(spec(10, 0, Duration.ofMinutes(5), Duration.ZERO, false));
    c.put("a", "a");
    c.get("a", String.class);
    c.get("b", String.class);
    c.getOrLoad("c", String.class, null, k -> "c");
    assertThat(metrics.value(REQUESTS, "c", "l1", "hit")).isZero();
    assertThat(metrics.value(REQUESTS, "c", "l1", "miss")).isZero();
    assertThat(metrics.count("hyperion_cache_load_duration_seconds", "c")).isZero();
  }

  @Test
  void aNullFromTheLoaderIsNotCached() {
    CaffeineCache c = defaults();
    AtomicInteger runs = new AtomicInteger();
    c.getOrLoad("k", String.class, null, k -> {
      runs.incrementAndGet();
      return null;
    });
    assertThat(c.getOrLoad("k", String.class, null, k -> "v")).isEqualTo("v");
    assertThat(runs).hasValue(1);
  }

  @Test
  void theModuleReadsNamedCachesFromConfigAndTakesABoundTicker() {
    Config config = Config.fromYaml("""
        cache:
          default:
            default_ttl: 1m
          short:
            default_ttl: 10s
        """);
    Injector injector = Guice.createInjector(new HyperionModule(config), new CaffeineModule(), new CaffeineModule(),
        new AbstractModule() {
          @Override
          protected void configure() {
            OptionalBinder.newOptionalBinder(binder(), Ticker.class).setBinding().toInstance(ticker::read);
            OptionalBinder.newOptionalBinder(binder(), Metrics.class).setBinding().toInstance(metrics);
          }
        });
    CacheManager l1 = injector.getInstance(Key.get(CacheManager.class, L1.class));
    assertThat(injector.getInstance(CacheManager.class)).isSameAs(l1); // one layer: that layer
    Cache shortCache = l1.cache("short");
    Cache other = l1.cache("other");
    assertThat(l1.cache("short")).isSameAs(shortCache);
    shortCache.put("k", "v");
    other.put("k", "v");
    ticker.advance(Duration.ofSeconds(11));
    assertThat(shortCache.exists("k")).isFalse();
    assertThat(other.exists("k")).isTrue();
    ticker.advance(Duration.ofMinutes(1));
    assertThat(other.exists("k")).isFalse();
  }

  @Test
  void modulesAreEqualByClass() {
    assertThat(new CaffeineModule()).isEqualTo(new CaffeineModule()).hasSameHashCodeAs(new CaffeineModule());
  }
}
