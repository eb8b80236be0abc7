package hyperion;

import hyperion.cache.LocalLayer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A value in L1 of a cache with {@code refresh_after} or {@code stale_if_error}, with the times
 * (on the L1 layer's clock) at which it is due for a refresh and at which it expires. The layer
 * keeps it up to {@code stale_if_error} past {@link #expiresAt}, so a failed load can still serve
 * it. One is kept per fill, made by the write or by the read that finds the value due (readers
 * that race there may each make one, and share the one put in place); a hit makes none.
 *
 * <p>It is due ({@link LocalLayer.Timed#dueAt()}) at the earlier of the two times. The L1 layer
 * compares that with the time it reads for its own expiry check and marks the value when it is
 * due; until then a hit compares the value's class, which {@link LocalLayer.Timed} keeps until
 * then, with the type it wants, reads the value, and reads no clock. (A hit that read the layer's
 * clock itself measured a few per cent slower in the benchmarks; see docs/benchmarks.md.)
 *
 * <p>A layer that {@linkplain LocalLayer#wrapsWhenDue() wraps values when due} gets one from {@link
 * L1Timing#wrap} for most values only once they are due; the others, and every value in a layer that
 * does not, have one from their write on. Its size counts in what these features cost a hit in a
 * cache larger than the CPU's caches (see docs/benchmarks.md): it is 40 bytes, with the fields a hit
 * reads in bytes 12 to 27 ({@code TimedValueLayoutTest}).
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

  /** From this time on the value is expired: served only as a stale fallback. */
  final long expiresAt;
  /** {@link Boolean#TRUE} while a reload started by this entry runs: one reload per entry at a time. */
  @SuppressWarnings("unused") // through REFRESHING
  private volatile Object refreshing;

  /**
   * {@code value}, expired from {@code expiresAt} and, if it {@code refreshes} ({@code
   * refresh_after} is on), due for a background reload from {@code refreshAt}.
   */
  TimedValue(Object value, long refreshAt, long expiresAt, boolean refreshes) {
    super(value, refreshes && refreshAt - expiresAt < 0 ? refreshAt : expiresAt);
    this.expiresAt = expiresAt;
  }

  /**
   * Whether a read through the layer found the value due: for a refresh, or expired if {@code
   * expiresAt} has passed as well.
   */
  boolean isDue() {
    return due();
  }

  /**
   * Whether the value is a {@code type} and no read has found it due: a hit's one check, which reads
   * only this object.
   */
  boolean isFreshA(Class<?> type) {
    Class<?> c = freshClass();
    return c == type || c != null && type.isAssignableFrom(c);
  }

  /** Whether the value is a {@code type}, due or not (reads the value's header: not for a hit). */
  boolean isA(Class<?> type) {
    return type.isInstance(value());
  }

  /** The value as the type {@link #isFreshA} or {@link #isA} confirmed: no second check. */
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
