package hyperion.caffeine;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.Weigher;
import hyperion.Cache;
import hyperion.Counter;
import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.cache.CacheArguments;
import hyperion.cache.LoadCoalescer;
import hyperion.config.CacheSpec;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * One named L1 cache over Caffeine. Values are stored as they are (no copy, no serialization)
 * together with their expiry deadline, so each entry has its own time-to-live.
 */
final class CaffeineCache implements Cache {

  /** A value and the ticker time it expires at. Immutable; replaced on every write. */
  static final class Held {
    final Object value;
    final long deadline;

    Held(Object value, long deadline) {
      this.value = value;
      this.deadline = deadline;
    }
  }

  /**
   * Expires each entry at its own deadline; with {@code expire_after_access} also after that much
   * idle time, whichever comes first. (Caffeine does not combine expireAfterAccess with a custom
   * Expiry, so idle expiry is folded in here.)
   */
  private static final class DeadlineExpiry implements Expiry<String, Held> {
    private final long idleNanos;

    DeadlineExpiry(long idleNanos) {
      this.idleNanos = idleNanos;
    }

    private long remaining(Held h, long now) {
      long left = Math.max(0, h.deadline - now);
      return idleNanos > 0 ? Math.min(left, idleNanos) : left;
    }

    @Override
    public long expireAfterCreate(String key, Held value, long currentTime) {
      return remaining(value, currentTime);
    }

    @Override
    public long expireAfterUpdate(String key, Held value, long currentTime, long currentDuration) {
      return remaining(value, currentTime);
    }

    @Override
    public long expireAfterRead(String key, Held value, long currentTime, long currentDuration) {
      return idleNanos > 0 ? remaining(value, currentTime) : currentDuration;
    }
  }

  /** Stands in for the instruments when {@code record_stats} is off: the hot path stays branch-free. */
  private static final Counter.Child NO_COUNT = new Counter.Child() {
    @Override public void inc() {}
    @Override public void inc(double amount) {}
  };

  private final String name;
  private final com.github.benmanes.caffeine.cache.Cache<String, Held> cache;
  private final Ticker ticker;
  private final long defaultTtlNanos;
  private final LoadCoalescer loads = new LoadCoalescer();
  private final boolean stats;
  private final Counter.Child hit;
  private final Counter.Child miss;
  private final Counter.Child loadSuccess;
  private final Counter.Child loadFailure;
  private final Histogram.Child loadDuration;
  private final Gauge.Child size;
  private final Gauge.Child weight;

  CaffeineCache(String name, CacheSpec spec, Ticker ticker, Weigher<String, Object> weigher, Executor executor,
      CaffeineCacheManager.Instruments instruments) {
    this.name = name;
    this.ticker = ticker;
    this.defaultTtlNanos = spec.defaultTtl().toNanos();
    this.stats = spec.recordStats();
    this.hit = stats ? instruments.requests().labels(name, "l1", "hit") : NO_COUNT;
    this.miss = stats ? instruments.requests().labels(name, "l1", "miss") : NO_COUNT;
    this.loadSuccess = stats ? instruments.loads().labels(name, "success") : NO_COUNT;
    this.loadFailure = stats ? instruments.loads().labels(name, "failure") : NO_COUNT;
    this.loadDuration = stats ? instruments.loadDuration().labels(name) : null;
    this.size = stats ? instruments.size().labels(name) : null;
    this.weight = stats && spec.maxWeight() > 0 ? instruments.weight().labels(name) : null;

    Caffeine<String, Held> builder = Caffeine.newBuilder().ticker(ticker).executor(executor)
        .expireAfter(new DeadlineExpiry(spec.expireAfterAccess().toNanos()));
    if (spec.maxWeight() > 0) {
      builder.maximumWeight(spec.maxWeight()).weigher((String k, Held h) -> weigher.weigh(k, h.value));
    } else {
      builder.maximumSize(spec.maxEntries());
    }
    if (stats) {
      EnumMap<RemovalCause, Counter.Child> evicted = new EnumMap<>(RemovalCause.class);
      for (RemovalCause cause : RemovalCause.values()) {
        if (cause.wasEvicted()) {
          evicted.put(cause, instruments.evictions().labels(name, cause.name().toLowerCase(java.util.Locale.ROOT)));
        }
      }
      // Runs synchronously inside Caffeine's eviction: counting only, nothing that blocks.
      builder.evictionListener((String k, Held h, RemovalCause cause) -> {
        Counter.Child c = evicted.get(cause);
        if (c != null) {
          c.inc();
        }
        updateSize();
      });
    }
    this.cache = builder.build();
    updateSize();
  }

  /** Push-updates the size and weight gauges (the Metrics port has no labelled callback gauges). */
  private void updateSize() {
    if (size == null || cache == null) {
      return;
    }
    size.set(cache.estimatedSize());
    if (weight != null) {
      cache.policy().eviction().map(Policy.Eviction::weightedSize)
          .ifPresent(w -> w.ifPresent(weight::set));
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** The live entry for {@code key}, or null. Counts nothing. */
  private Held live(String key) {
    return cache.getIfPresent(key);
  }

  @Override
  public <T> Optional<T> get(String key, Class<T> type) {
    CacheArguments.key(key);
    Held h = live(key);
    if (h != null && type.isInstance(h.value)) {
      hit.inc();
      return Optional.of(type.cast(h.value));
    }
    miss.inc();
    return Optional.empty();
  }

  @Override
  public <T> Optional<Entry<T>> getEntry(String key, Class<T> type) {
    CacheArguments.key(key);
    Held h = live(key);
    if (h != null && type.isInstance(h.value)) {
      hit.inc();
      long left = h.deadline - ticker.read();
      return Optional.of(new Entry<>(type.cast(h.value), Duration.ofNanos(Math.max(1, left))));
    }
    miss.inc();
    return Optional.empty();
  }


  @Override
  public void put(String key, Object value, Duration ttl) {
    CacheArguments.entry(key, value, ttl);
    store(key, value, ttl);
    updateSize();
  }

  private void store(String key, Object value, Duration ttl) {
    long nanos = ttl == null ? defaultTtlNanos : ttl.toNanos();
    cache.put(key, new Held(value, ticker.read() + nanos));
  }

  @Override
  public <T> T getOrLoad(String key, Class<T> type, Duration ttl, Loader<? extends T> loader) {
    CacheArguments.key(key);
    CacheArguments.ttl(ttl);
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(loader, "loader");
    Held h = live(key);
    if (h != null && type.isInstance(h.value)) {
      hit.inc();
      return type.cast(h.value);
    }
    miss.inc();
    // Coalesced on a per-key future rather than Caffeine's compute, which would hold a hash-bin lock
    // (blocking unrelated keys in the same bin) for as long as a slow loader runs.
    Object v = loads.run(key, () -> {
      // A load that finished between our miss and this run has already stored its value.
      Held again = live(key);
      if (again != null && type.isInstance(again.value)) {
        return again.value;
      }
      T value = timedLoad(key, loader);
      if (value != null) {
        store(key, value, ttl);
        updateSize();
      }
      return value;
    });
    if (v == null) {
      return null;
    }
    // A concurrent load of this key as another type: load for this caller without caching.
    return type.isInstance(v) ? type.cast(v) : CacheArguments.load(name, key, loader);
  }

  private <T> T timedLoad(String key, Loader<? extends T> loader) {
    long start = System.nanoTime();
    try {
      T value = CacheArguments.load(name, key, loader);
      loadSuccess.inc();
      return value;
    } catch (RuntimeException | Error e) {
      loadFailure.inc();
      throw e;
    } finally {
      if (loadDuration != null) {
        loadDuration.observe((System.nanoTime() - start) / 1e9);
      }
    }
  }



  @Override
  public void putAll(Map<String, ?> entries, Duration ttl) {
    entries.forEach((k, v) -> CacheArguments.entry(k, v, ttl));
    entries.forEach((k, v) -> store(k, v, ttl));
    updateSize();
  }

  @Override
  public boolean delete(String key) {
    CacheArguments.key(key);
    boolean removed = cache.asMap().remove(key) != null;
    updateSize();
    return removed;
  }

  @Override
  public boolean exists(String key) {
    CacheArguments.key(key);
    return live(key) != null;
  }

  @Override
  public void clear() {
    cache.invalidateAll();
    updateSize();
  }

  /** Runs pending maintenance (expiry, eviction) now; for tests. */
  void cleanUp() {
    cache.cleanUp();
    updateSize();
  }

  @Override
  public String toString() {
    return "CaffeineCache[" + name + "]";
  }
}
