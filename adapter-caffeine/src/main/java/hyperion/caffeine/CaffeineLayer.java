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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One named L1 layer over Caffeine. Values are stored as they are, each with its own
 * time-to-live through Caffeine's variable expiration policy ({@link Policy.VarExpiration}): no
 * wrapper object per entry. Only caches with {@code expire_after_access} wrap their values (in
 * {@link Idle}), because idle expiry must never extend the entry's time-to-live and Caffeine keeps
 * one expiry time per entry.
 *
 * <p>With a {@link Timing} (a cache with {@code refresh_after} or {@code stale_if_error}, without
 * {@code expire_after_access}) the layer {@linkplain #wrapsWhenDue() wraps values when they fall
 * due}: Caffeine hands its read callback the entry's remaining time, so telling that a value is due
 * costs a hit one comparison, and the wrapper is made, and put in place of the value, only then.
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
   * value is due, and samples its hits by the tick, without reading a clock of its own. With a
   * {@link Timing}, a read that finds an unwrapped value with at most {@link
   * Timing#dueWithinNanos()} left has the tier wrap it, and the wrapper waits here, for the same
   * thread's {@link #get}, which Caffeine gives only the value.
   */
  private static final class EntryExpiry implements Expiry<String, Object> {
    private static final VarHandle DUE_COUNT;

    static {
      try {
        DUE_COUNT = MethodHandles.lookup().findVarHandle(EntryExpiry.class, "dueCount", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final long idleNanos;
    private final Hits hits;
    /** {@code null}, or the rule by which an unwrapped value falls due. */
    private final Timing timing;
    /** {@link Timing#dueWithinNanos()}, or -1 (never: Caffeine's remaining time is never negative). */
    private final long dueWithin;
    /**
     * The wrapper of the value the thread's last read found due, until its {@link #get} takes it:
     * Caffeine calls the read callback on the reading thread before {@code getIfPresent} returns.
     */
    private final ThreadLocal<DueRead> dueReads = new ThreadLocal<>();
    /**
     * The number of threads whose due read {@link #get} has not taken yet: a plain read of it (0
     * almost always) is all a hit pays. The reading thread's own increment is visible to it.
     */
    @SuppressWarnings("unused") // through DUE_COUNT, and read plainly by takeDue
    private int dueCount;

    EntryExpiry(long idleNanos, Hits hits, Timing timing) {
      this.idleNanos = idleNanos;
      this.hits = hits;
      this.timing = idleNanos == 0 ? timing : null;
      this.dueWithin = this.timing == null ? -1 : this.timing.dueWithinNanos();
    }

    /** Whether unwrapped values are wrapped when they fall due. */
    boolean wrapsWhenDue() {
      return timing != null;
    }

    /**
     * The due read of {@code key} that this thread's {@code getIfPresent} just made, or {@code
     * null}: one plain field read unless a read found a value due.
     */
    DueRead takeDue(String key) {
      if (dueCount == 0) {
        return null;
      }
      DueRead d = dueReads.get();
      if (d == null) {
        return null; // another thread's
      }
      dueReads.remove();
      DUE_COUNT.getAndAdd(this, -1);
      return d.key.equals(key) ? d : null;
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
      } else if (currentDuration <= dueWithin) {
        Timed wrapper = timing.wrap(value, currentTime, currentDuration);
        if (wrapper != null) {
          if (dueReads.get() == null) {
            DUE_COUNT.getAndAdd(this, 1);
          }
          dueReads.set(new DueRead(key, value, wrapper));
        }
      }
      return idle == null ? currentDuration : Math.max(0, Math.min(idleNanos, idle.deadline - currentTime));
    }
  }

  /** A value that a read found due, and its wrapper. */
  private record DueRead(String key, Object value, Timed wrapper) {}

  private final Cache<String, Object> cache;
  private final EntryExpiry entryExpiry;
  private final Policy.VarExpiration<String, Object> expiry;
  private final Ticker ticker;
  private final long idleNanos;

  CaffeineLayer(CacheSpec spec, Ticker ticker, Weigher<String, Object> weigher, Executor executor,
      Evictions evictions, Hits hits, Timing timing) {
    this.ticker = ticker;
    this.idleNanos = spec.expireAfterAccess().toNanos();
    this.entryExpiry = new EntryExpiry(idleNanos, hits, timing);
    Caffeine<String, Object> builder = Caffeine.newBuilder().ticker(ticker).executor(executor)
        .expireAfter(entryExpiry)
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

  /** {@inheritDoc} True when created with a {@link Timing} and without {@code expire_after_access}. */
  @Override
  public boolean wrapsWhenDue() {
    return entryExpiry.wrapsWhenDue();
  }

  @Override
  public Object get(String key) {
    Object v = cache.getIfPresent(key);
    DueRead due = entryExpiry.takeDue(key);
    if (due != null && due.value == v) {
      return wrapInPlace(key, due);
    }
    return v instanceof Idle i ? i.value : v;
  }

  /**
   * Puts the wrapper of a value a read found due in its place, unless a write or a removal has
   * changed the entry since (its time-to-live stays); returns the wrapper now in place, else this
   * read's own. Racing readers of one due value thus share one wrapper, and its one reload.
   */
  private Object wrapInPlace(String key, DueRead due) {
    Object now = cache.asMap().computeIfPresent(key,
        (k, current) -> current == due.value ? due.wrapper : current);
    return now instanceof Timed t && t.value() == due.value ? t : due.wrapper;
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
