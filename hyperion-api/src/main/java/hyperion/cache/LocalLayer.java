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
     * the layer evicts on its own, and {@code hits}, unless it is {@code null} (the cache does not
     * track {@code hot_keys}), about every key {@link LocalLayer#get} finds. {@code timing} is
     * {@code null} unless the cache has {@code refresh_after} or {@code stale_if_error}; a layer
     * that uses it says so with {@link LocalLayer#wrapsWhenDue()}.
     */
    LocalLayer create(String name, CacheSpec spec, Evictions evictions, Hits hits, Timing timing);
  }

  /**
   * The tier's rule for when an unwrapped value of a cache with {@code refresh_after} or {@code
   * stale_if_error} needs a {@link Timed} wrapper, for a layer that holds such values as they are
   * until then ({@link LocalLayer#wrapsWhenDue()}): the tier stores them with their time-to-live
   * plus {@code stale_if_error}, so their remaining time tells when they are due.
   */
  interface Timing {
    /**
     * An unwrapped value needs its wrapper once a read finds at most this many nanoseconds left of
     * its time-to-live in the layer: it is then due for a refresh, or expired.
     */
    long dueWithinNanos();

    /**
     * The wrapper of {@code value}, which a read at {@code now} (the layer's clock) found with
     * {@code remainingNanos} (at most {@link #dueWithinNanos()}) left, already told {@code now};
     * {@code null} when the tier does not time the value (a negative entry), which then stays as it is.
     */
    Timed wrap(Object value, long now, long remainingNanos);
  }

  /**
   * Whether the layer was given a {@link Timing} and follows it: it holds the values the tier puts
   * as they are, and when a read finds one due, replaces it in place with {@link Timing#wrap} (unless
   * it has changed since) and returns the wrapper, so a hit on a value not yet due reads no wrapper.
   * The default is {@code false}: the tier then wraps every value of such a cache when it puts it.
   */
  default boolean wrapsWhenDue() {
    return false;
  }

  /**
   * Told about every key a layer's {@link #get} finds: how a cache with {@code hot_keys} samples
   * its hits, inside the layer's own lookup. (The tier samples the keys the layer does not hold.)
   */
  @FunctionalInterface
  interface Hits {
    /**
     * {@link #get} found {@code key} at {@code now}, the layer's clock reading for that get (the
     * one a {@link Timed} value is told, on the clock of {@link #nanoTime()}); called on the reading
     * thread before {@code get} returns. Cheap, never throws.
     */
    void hit(String key, long now);
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
   * A {@link Wrapped} value that needs the tier's attention from a time on: it is due for a
   * background refresh, or it has expired and is kept only as a stale fallback. The layer tells it
   * when it reads it, so that a hit before that time reads no clock: before {@link #get} returns a
   * {@code Timed} value, the layer calls {@link #read(long)} with its clock's reading ({@link
   * #nanoTime()}) for that get. (The Caffeine layer does this in its expiry policy's read callback,
   * with the time Caffeine read for its own expiry check.) A layer that does not would serve such a
   * value as fresh until it drops it.
   */
  abstract class Timed implements Wrapped {
    // A hit reads the fields of this class only; declared here, HotSpot lays them out right after the
    // object header (bytes 12 to 27), so a hit rarely needs a second cache line.
    /**
     * The value's class until the first read at or after {@link #dueAt}, then {@code null} for good:
     * a hit checks the type it wants and that the value is not due in one comparison, on this
     * object's line, without reading the value's own header. A plain field: a thread that reads the
     * value through the layer has cleared it itself, if it is due, before the tier looks.
     */
    private Class<?> freshClass;
    private final long dueAt;
    private final Object value;

    /** {@code value} (not {@code null}), due from {@code dueAt} on, on the layer's clock. */
    protected Timed(Object value, long dueAt) {
      this.value = value;
      this.dueAt = dueAt;
      this.freshClass = value.getClass();
    }

    @Override
    public final Object value() {
      return value;
    }

    /** The time, on the layer's clock, from which a read marks this value due. */
    public final long dueAt() {
      return dueAt;
    }

    /** Called by {@link #get} before it returns this value, with its clock's reading {@code now}. */
    public final void read(long now) {
      if (now - dueAt >= 0 && freshClass != null) {
        freshClass = null;
      }
    }

    /** Whether a read at or after {@link #dueAt()} has marked the value due. */
    protected final boolean due() {
      return freshClass == null;
    }

    /** The value's class while no read has marked it due, else {@code null}. */
    protected final Class<?> freshClass() {
      return freshClass;
    }
  }

  /**
   * The layer's clock in nanoseconds (its ticker), which the tier reads for the times it keeps next
   * to values and {@link Timed#read} is given. The default is {@link System#nanoTime()}.
   */
  default long nanoTime() {
    return System.nanoTime();
  }

  /**
   * The live value for {@code key}, or {@code null}; a {@link Timed} value is told the time first,
   * and the layer's {@link Hits}, if it has them, the key. Counts nothing, never throws.
   */
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
