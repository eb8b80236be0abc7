package hyperion;

import hyperion.cache.LocalLayer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A value in L1 of a cache with {@code refresh_after} or {@code stale_if_error}, with the times
 * (on the L1 layer's clock) at which it is due for a refresh and at which it expires. The layer
 * keeps it up to {@code stale_if_error} past {@link #expiresAt}, so a failed load can still serve
 * it. One object per fill, never per hit.
 *
 * <p>It is due ({@link LocalLayer.Timed#dueAt()}) at the earlier of the two times. The L1 layer
 * compares that with the time it reads for its own expiry check and marks the value when it is
 * due; until then a hit reads the flag, the value and its class, and no clock. (A hit that read the
 * layer's clock itself measured a few per cent slower in the benchmarks; see docs/benchmarks.md.)
 * The fields a hit reads lie in bytes 12 to 31 of the object ({@code TimedValueLayoutTest}).
 */
final class TimedValue extends LocalLayer.Timed {
  private static final VarHandle REFRESHING;

  static {
    try {
      REFRESHING = MethodHandles.lookup().findVarHandle(TimedValue.class, "refreshing", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * The value's class, so that a hit checks the type the caller asked for here, on the line the
   * flag is on, instead of in the value's own header: one memory access fewer per hit in a cache
   * larger than the CPU's. The first field of this class, so HotSpot puts it in the gap after the
   * fields of {@link LocalLayer.Timed} (bytes 28 to 31), before the two a hit does not read.
   */
  private final Class<?> valueClass;
  /** From this time on the value is expired: served only as a stale fallback. */
  final long expiresAt;
  /**
   * {@link Boolean#TRUE} while a reload started by this entry runs: one reload per entry at a time.
   * A reference, not an int: HotSpot would put an int into the gap that {@link #valueClass} fills.
   */
  @SuppressWarnings("unused") // through REFRESHING
  private volatile Object refreshing;

  /**
   * {@code value}, expired from {@code expiresAt} and, if it {@code refreshes} ({@code
   * refresh_after} is on), due for a background reload from {@code refreshAt}.
   */
  TimedValue(Object value, long refreshAt, long expiresAt, boolean refreshes) {
    super(value, refreshes && refreshAt - expiresAt < 0 ? refreshAt : expiresAt);
    this.valueClass = value.getClass();
    this.expiresAt = expiresAt;
  }

  /**
   * Whether a read through the layer found the value due: for a refresh, or expired if {@code
   * expiresAt} has passed as well.
   */
  boolean isDue() {
    return due();
  }

  /** Whether the value is a {@code type} ({@code type.isInstance(value)} without reading the value). */
  boolean isA(Class<?> type) {
    return valueClass == type || type.isAssignableFrom(valueClass);
  }

  /** The value as the type {@link #isA} confirmed: no second check, which would read the value's header. */
  @SuppressWarnings("unchecked")
  <T> T valueAs() {
    return (T) value();
  }

  /**
   * Whether this caller may start the reload: the value is due for one before it expires, and no
   * other reload of this entry runs.
   */
  boolean claimRefresh() {
    return dueAt() - expiresAt < 0 && REFRESHING.getOpaque(this) == null
        && REFRESHING.compareAndSet(this, null, Boolean.TRUE);
  }

  /** The reload ended (whatever its outcome); a later hit may start another. */
  void releaseRefresh() {
    REFRESHING.setVolatile(this, null);
  }

  @Override
  public String toString() {
    return "TimedValue[" + value() + "]";
  }
}
