package hyperion.caffeine;

import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.Weigher;
import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Counter;
import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.Metrics;
import hyperion.config.CacheConfig;
import hyperion.config.Config;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/** The {@code @L1 CacheManager}: one {@link CaffeineCache} per name, created on first use. */
final class CaffeineCacheManager implements CacheManager {

  /** The instruments every cache of this manager binds its label children on. */
  record Instruments(Counter requests, Counter loads, Histogram loadDuration, Counter evictions, Gauge size,
      Gauge weight) {

    static Instruments declare(Metrics metrics) {
      // Same names and label names as TieredCache, which declares the L2 side of them.
      return new Instruments(
          metrics.counter("hyperion_cache_requests_total", "Cache lookups by layer and result", "cache", "layer",
              "result"),
          metrics.counter("hyperion_cache_loads_total", "Loader runs by outcome", "cache", "outcome"),
          metrics.histogram("hyperion_cache_load_duration_seconds", "Loader run duration", "cache"),
          metrics.counter("hyperion_cache_evictions_total", "L1 entries evicted, by cause", "cache", "cause"),
          metrics.gauge("hyperion_cache_size", "L1 entries (estimate)", "cache"),
          metrics.gauge("hyperion_cache_weight", "L1 total weight, for caches bounded by max_weight", "cache"));
    }
  }

  private final CacheConfig config;
  private final Ticker ticker;
  private final Weigher<String, Object> weigher;
  private final Executor executor;
  private final Instruments instruments;
  private final Map<String, CaffeineCache> caches = new ConcurrentHashMap<>();

  @Inject
  CaffeineCacheManager(Config config, Metrics metrics, Ticker ticker, Weigher<String, Object> weigher) {
    this(config.cache(), metrics, ticker, weigher, ForkJoinPool.commonPool());
  }

  /** For tests: {@code executor} runs Caffeine's maintenance ({@code Runnable::run} makes it synchronous). */
  CaffeineCacheManager(CacheConfig config, Metrics metrics, Ticker ticker, Weigher<String, Object> weigher,
      Executor executor) {
    this.config = config;
    this.ticker = ticker;
    this.weigher = weigher;
    this.executor = executor;
    this.instruments = Instruments.declare(metrics);
  }

  @Override
  public Cache cache(String name) {
    Objects.requireNonNull(name, "name");
    CaffeineCache c = caches.get(name);
    return c != null ? c : caches.computeIfAbsent(name,
        n -> new CaffeineCache(n, config.spec(n), ticker, weigher, executor, instruments));
  }

  @Override
  public String toString() {
    return "CaffeineCacheManager" + caches.keySet();
  }
}
