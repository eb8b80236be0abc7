package hyperion.cache;

import hyperion.config.CacheSpec;

/**
 * One named in-process cache layer (L1): values held by reference, each with its own time-to-live.
 * Implementations must be thread-safe, and {@link #get} must be cheap and never throw: it is the
 * hot path of every cache hit.
 *
 * <p>The layer keeps no statistics of its own; the tier counts hits and misses. It reports
 * evictions through the {@link Evictions} it was created with.
 */
public interface LocalLayer {

  /** Creates the layer of each named cache; bound by an L1 adapter module. */
  @FunctionalInterface
  interface Factory {
    /**
     * A new, empty layer for cache {@code name}, bounded by {@code spec} ({@code max_entries} or
     * {@code max_weight}, {@code expire_after_access}); {@code evictions} is told about every entry
     * the layer evicts on its own.
     */
    LocalLayer create(String name, CacheSpec spec, Evictions evictions);
  }

  /** Why the layer dropped an entry on its own. */
  enum EvictionCause {
    /** The size or weight bound was exceeded. */
    SIZE,
    /** The entry's time-to-live (or idle time) ran out. */
    EXPIRED,
    /** The garbage collector reclaimed a weakly or softly held entry. */
    COLLECTED
  }

  /** Receives eviction notices; called on the layer's maintenance thread, so it must not block. */
  @FunctionalInterface
  interface Evictions {
    /** One entry was evicted for {@code cause}. */
    void evicted(EvictionCause cause);
  }

  /**
   * A value the tier stored in a wrapper of its own (caches with {@code refresh_after} or {@code
   * stale_if_error} keep each value's write and expiry times next to it). A layer stores it like any
   * value, except that a weigher must weigh {@link #value()}.
   */
  interface Wrapped {
    /** The value the application stored. */
    Object value();
  }

  /**
   * The layer's clock in nanoseconds (its ticker), which the tier reads for the times it keeps next
   * to values; it must be cheap, since caches with {@code refresh_after} or {@code stale_if_error}
   * read it on every hit. The default is {@link System#nanoTime()}.
   */
  default long nanoTime() {
    return System.nanoTime();
  }

  /** The live value for {@code key}, or {@code null}. Counts nothing, never throws. */
  Object get(String key);

  /** Stores {@code value} for {@code ttlNanos} (positive), replacing any entry for {@code key}. */
  void put(String key, Object value, long ttlNanos);

  /** The remaining time-to-live of {@code key} in nanoseconds, or 0 when it is absent. */
  long remainingNanos(String key);

  /** Removes {@code key}; returns whether the layer held it. */
  boolean invalidate(String key);

  /** Removes every entry. */
  void invalidateAll();

  /** The number of entries (an estimate: it may count expired entries not yet cleaned up). */
  long size();

  /** The total weight of the entries for weight-bounded layers, else -1. */
  long weight();
}
