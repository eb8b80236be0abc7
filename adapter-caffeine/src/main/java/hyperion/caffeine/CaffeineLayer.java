package hyperion.caffeine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.Weigher;
import hyperion.cache.LocalLayer;
import hyperion.config.CacheSpec;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One named L1 layer over Caffeine. Values are stored as they are, each with its own
 * time-to-live through Caffeine's variable expiration policy ({@link Policy.VarExpiration}): no
 * wrapper object per entry. Only caches with {@code expire_after_access} wrap their values (in
 * {@link Idle}), because idle expiry must never extend the entry's time-to-live and Caffeine keeps
 * one expiry time per entry.
 */
final class CaffeineLayer implements LocalLayer {

  /** A value of a cache with idle expiry, with the ticker time its time-to-live ends. */
  private record Idle(Object value, long deadline) {}

  /**
   * The expiry policy of every layer, one class so that Caffeine's call of it stays monomorphic:
   * an entry keeps the time-to-live given at write (every write goes through {@link
   * Policy.VarExpiration#put} with its own duration), and reads never extend it; with idle expiry
   * ({@code idleNanos} &gt; 0) a read gives the entry {@code idleNanos} more, never past its
   * deadline. A read also hands the time Caffeine read for that get to a {@link Timed} value and,
   * with {@code hot_keys}, the key and that time to the cache's {@link Hits} (Caffeine calls this on
   * the reading thread before {@code getIfPresent} returns): that is how the tier learns that a
   * value is due, and samples its hits by the tick, without reading a clock of its own.
   */
  private static final class EntryExpiry implements Expiry<String, Object> {
    private final long idleNanos;
    private final Hits hits;

    EntryExpiry(long idleNanos, Hits hits) {
      this.idleNanos = idleNanos;
      this.hits = hits;
    }

    @Override
    public long expireAfterCreate(String key, Object value, long currentTime) {
      return Long.MAX_VALUE; // replaced by the duration VarExpiration.put gives
    }

    @Override
    public long expireAfterUpdate(String key, Object value, long currentTime, long currentDuration) {
      return currentDuration;
    }

    @Override
    public long expireAfterRead(String key, Object value, long currentTime, long currentDuration) {
      if (hits != null) {
        hits.hit(key, currentTime);
      }
      Idle idle = idleNanos == 0 ? null : (Idle) value;
      if ((idle == null ? value : idle.value) instanceof Timed t) {
        t.read(currentTime);
      }
      return idle == null ? currentDuration : Math.max(0, Math.min(idleNanos, idle.deadline - currentTime));
    }
  }

  private final Cache<String, Object> cache;
  private final Policy.VarExpiration<String, Object> expiry;
  private final Ticker ticker;
  private final long idleNanos;

  CaffeineLayer(CacheSpec spec, Ticker ticker, Weigher<String, Object> weigher, Executor executor,
      Evictions evictions, Hits hits) {
    this.ticker = ticker;
    this.idleNanos = spec.expireAfterAccess().toNanos();
    Caffeine<String, Object> builder = Caffeine.newBuilder().ticker(ticker).executor(executor)
        .expireAfter(new EntryExpiry(idleNanos, hits))
        .evictionListener((String k, Object v, RemovalCause cause) -> {
          // Runs inside Caffeine's maintenance: counting only, nothing that blocks.
          switch (cause) {
            case SIZE -> evictions.evicted(EvictionCause.SIZE);
            case EXPIRED -> evictions.evicted(EvictionCause.EXPIRED);
            case COLLECTED -> evictions.evicted(EvictionCause.COLLECTED);
            default -> { } // explicit removals and replacements are not evictions
          }
        });
    if (spec.maxWeight() > 0) {
      builder.maximumWeight(spec.maxWeight())
          .weigher((String k, Object v) -> weigher.weigh(k, unwrap(v instanceof Idle i ? i.value : v)));
    } else {
      builder.maximumSize(spec.maxEntries());
    }
    this.cache = builder.build();
    this.expiry = cache.policy().expireVariably().orElseThrow();
  }

  private static Object unwrap(Object v) {
    return v instanceof Wrapped w ? w.value() : v;
  }

  /** {@inheritDoc} The ticker the layer expires entries by (coarse by default: a volatile read). */
  @Override
  public long nanoTime() {
    return ticker.read();
  }

  @Override
  public Object get(String key) {
    Object v = cache.getIfPresent(key);
    return v instanceof Idle i ? i.value : v;
  }

  @Override
  public void put(String key, Object value, long ttlNanos) {
    if (idleNanos > 0) {
      long now = ticker.read();
      expiry.put(key, new Idle(value, now + ttlNanos), Math.min(ttlNanos, idleNanos), TimeUnit.NANOSECONDS);
    } else {
      expiry.put(key, value, ttlNanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public long remainingNanos(String key) {
    Object v = cache.policy().getIfPresentQuietly(key); // not a lookup: no hit to sample
    if (v == null) {
      return 0;
    }
    if (v instanceof Idle i) {
      return Math.max(0, i.deadline - ticker.read());
    }
    return expiry.getExpiresAfter(key, TimeUnit.NANOSECONDS).orElse(0);
  }

  @Override
  public boolean invalidate(String key) {
    return cache.asMap().remove(key) != null;
  }

  @Override
  public void invalidateAll() {
    cache.invalidateAll();
  }

  @Override
  public long size() {
    return cache.estimatedSize();
  }

  @Override
  public long weight() {
    return cache.policy().eviction().map(e -> e.weightedSize().orElse(-1)).orElse(-1L);
  }

  /** Runs pending maintenance (expiry, eviction) now; for tests. */
  void cleanUp() {
    cache.cleanUp();
  }
}
