package hyperion.cache;

import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.InvalidationBus;
import hyperion.Metrics;
import hyperion.Tracer;
import hyperion.config.CacheConfig;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The {@link CacheManager} behind {@link TieredCache#manager}: one {@link TieredCache} per name over
 * the same-named L1 and L2 caches, one bus subscription that routes invalidations to them, one
 * bounded pool for L2 calls.
 */
final class TieredManager implements CacheManager, InvalidationBus.Listener {
  static final int DEFAULT_L2_THREADS = 16;
  /** Small on purpose: when L2 hangs, callers should be rejected (a miss) rather than queue up. */
  static final int L2_QUEUE = 256;

  static final InvalidationBus NO_BUS = new InvalidationBus() {
    @Override public void publish(String cache, String key) {}
    @Override public void subscribe(Listener listener) {}
  };

  private final CacheManager l1;
  private final CacheManager l2;
  private final CacheConfig config;
  private final TieredCache.Shared shared;
  private final Map<String, TieredCache> caches = new ConcurrentHashMap<>();

  TieredManager(CacheManager l1, CacheManager l2, InvalidationBus bus, CacheConfig config, Metrics metrics,
      Tracer tracer, LongSupplier nanos, int l2Threads) {
    this.l1 = l1;
    this.l2 = l2;
    this.config = config;
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads = r -> {
      Thread t = new Thread(r, "hyperion-cache-l2-" + n.incrementAndGet());
      t.setDaemon(true); // idle threads also time out, so no shutdown hook is needed
      return t;
    };
    ThreadPoolExecutor pool = new ThreadPoolExecutor(l2Threads, l2Threads, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(L2_QUEUE), threads, new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    this.shared = new TieredCache.Shared(bus, tracer, pool, nanos,
        metrics.counter("hyperion_cache_requests_total", "Cache lookups by layer and result", "cache", "layer",
            "result"),
        metrics.counter("hyperion_cache_loads_total", "Loader runs by outcome", "cache", "outcome"),
        metrics.histogram("hyperion_cache_load_duration_seconds", "Loader run duration", "cache"),
        metrics.counter("hyperion_cache_l2_write_failures_total",
            "L2 writes (put, delete, clear) that failed, timed out or were skipped by the breaker", "cache"),
        metrics.gauge("hyperion_cache_breaker_open", "1 while the L2 circuit breaker is open or probing", "cache"));
    bus.subscribe(this);
  }

  @Override
  public Cache cache(String name) {
    Objects.requireNonNull(name, "name");
    TieredCache c = caches.get(name);
    return c != null ? c : caches.computeIfAbsent(name,
        n -> new TieredCache(n, l1.cache(n), l2.cache(n), config.spec(n), shared));
  }

  @Override
  public void invalidate(String cache, String key) {
    TieredCache c = caches.get(cache);
    if (c != null) {
      c.invalidateLocal(key);
    }
  }

  @Override
  public void reconnected() {
    // Invalidations may have been lost while the bus was down: nothing in L1 can be trusted.
    caches.values().forEach(c -> c.invalidateLocal(null));
  }

  @Override
  public String toString() {
    return "TieredCacheManager[l1=" + l1 + ", l2=" + l2 + "]";
  }
}
