package hyperion;

import hyperion.cache.InvalidationBus;
import hyperion.cache.LocalLayer;
import hyperion.cache.RemoteLayer;
import hyperion.config.CacheConfig;
import hyperion.config.CacheSpec;
import hyperion.internal.RateLimitedLog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The {@link CacheManager} that {@link HyperionModule} binds: one {@link TieredCache} per name over
 * the layers the installed adapters provide (either may be absent), and one bus subscription that
 * routes incoming invalidations to them.
 */
final class TieredCacheManager implements CacheManager, InvalidationBus.Listener {
  private final CacheConfig config;
  private final LocalLayer.Factory l1;
  private final RemoteLayer.Factory l2;
  private final InvalidationBus bus;
  private final Tracer tracer;
  private final Metrics metricsPort;
  /** Declared with the first cache, so a service that never uses a cache exposes no cache metrics. */
  private volatile CacheMetrics metrics;
  private final LongSupplier nanos;
  private final RateLimitedLog log = new RateLimitedLog(System.getLogger(TieredCache.class.getName()), 10_000);
  private final Map<String, TieredCache> caches = new ConcurrentHashMap<>();
  /** Narrowed while the bus is suspended: the caches that share L2 keep L1 copies at most the coherence timeout. */
  private final L1Gate gate = new L1Gate();
  /**
   * Runs the refresh-ahead reloads of every cache: at most {@value #REFRESH_THREADS} at once, none
   * queued (a reload that finds every thread busy is not started, and a later hit tries again).
   * Daemon threads, created on the first refresh and gone after 30 s without one.
   */
  private final ThreadPoolExecutor refresher = new ThreadPoolExecutor(0, REFRESH_THREADS, 30, TimeUnit.SECONDS,
      new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "hyperion-cache-refresh");
        t.setDaemon(true);
        return t;
      });

  /** The most refresh-ahead reloads that run at once per instance, all caches together. */
  static final int REFRESH_THREADS = 8;

  /**
   * A manager over the given layer factories and bus ({@code null} where absent); {@code nanos} is
   * the monotonic clock of the circuit breakers.
   */
  TieredCacheManager(CacheConfig config, LocalLayer.Factory l1, RemoteLayer.Factory l2, InvalidationBus bus,
      Metrics metrics, Tracer tracer, LongSupplier nanos) {
    this.config = config;
    this.l1 = l1;
    this.l2 = l2;
    this.bus = bus;
    this.tracer = tracer;
    this.metricsPort = metrics;
    this.nanos = nanos;
    if (bus != null) {
      bus.subscribe(this);
    }
  }

  /** {@inheritDoc} Names must be non-empty, without {@code ':'} or whitespace. */
  @Override
  public Cache cache(String name) {
    TieredCache c = caches.get(name);
    if (c != null) {
      return c;
    }
    CacheArguments.name(name);
    return caches.computeIfAbsent(name, this::create);
  }

  private TieredCache create(String name) {
    CacheSpec spec = config.spec(name);
    LocalLayer.Factory l1 = spec.layers().usesL1() ? this.l1 : null;
    RemoteLayer.Factory l2 = spec.layers().usesL2() ? this.l2 : null;
    CacheMetrics.Bound bound = metrics().new Bound(name, spec, l1 != null, l2 != null);
    // Counting runs where Caffeine runs its maintenance by default, off the lookups.
    HotKeySketch hotKeys = spec.hotKeys() == 0 ? null : new HotKeySketch(spec.hotKeys(), ForkJoinPool.commonPool());
    L1Timing timing = l1 == null ? null : L1Timing.of(spec);
    LocalLayer local = l1 == null ? null : l1.create(name, spec, cause -> {
      bound.evicted(cause);
      TieredCache c = caches.get(name); // null only while the cache is being created
      if (c != null) {
        c.updateSizeGauges();
      }
    }, hotKeys, timing);
    RemoteLayer remote = l2 == null ? null : l2.create(name, spec);
    // A cache without L2 keeps its L1 to this instance: nothing to tell others, nothing to hear.
    return new TieredCache(name, spec, local, remote, remote == null ? null : bus, tracer, bound, nanos, log,
        refresher, remote == null || bus == null ? null : gate, hotKeys, timing);
  }

  private synchronized CacheMetrics metrics() {
    if (metrics == null) {
      metrics = new CacheMetrics(metricsPort);
    }
    return metrics;
  }

  /** {@inheritDoc} In the order of cache names. */
  @Override
  public Map<String, List<HotKey>> hotKeys() {
    Map<String, List<HotKey>> out = new TreeMap<>();
    caches.forEach((name, c) -> {
      List<HotKey> top = c.hotKeys();
      if (top != null) {
        out.put(name, top);
      }
    });
    return out;
  }

  @Override
  public void invalidate(String cache, String key) {
    TieredCache c = caches.get(cache);
    if (c != null && c.sharesL2()) {
      c.invalidateLocal(key);
    }
  }

  @Override
  public void reconnected() {
    // Invalidations were lost: no L1 copy of L2 can be trusted.
    caches.values().stream().filter(TieredCache::sharesL2).forEach(c -> c.invalidateLocal(null));
  }

  /**
   * {@inheritDoc} Narrows the gate first, then clears: a fill that read the wider cap did so under
   * its cache's lock, which the clear takes after it, so nothing older survives. The L1 hit path is
   * untouched (L1 holds only copies younger than {@code keepFor}).
   */
  @Override
  public void suspended(Duration keepFor) {
    gate.maxTtlNanos = Math.max(1, keepFor.toNanos());
    reconnected();
  }

  @Override
  public void resumed() {
    gate.maxTtlNanos = Long.MAX_VALUE;
  }

  @Override
  public String toString() {
    return "TieredCacheManager[l1=" + (l1 != null) + ", l2=" + (l2 != null) + ", bus=" + (bus != null) + "]";
  }
}
