package hyperion;

import hyperion.cache.LocalLayer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A value in L1 of a cache with {@code refresh_after} or {@code stale_if_error}, with the times
 * (on the L1 layer's clock) at which it is due for a refresh and at which it expires. The layer
 * keeps it up to {@code stale_if_error} past {@link #expiresAt}, so a failed load can still serve
 * it. One object per fill, never per hit.
 */
final class TimedValue implements LocalLayer.Wrapped {
  private static final VarHandle REFRESHING;

  static {
    try {
      REFRESHING = MethodHandles.lookup().findVarHandle(TimedValue.class, "refreshing", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Object value;
  /**
   * The value's class, so that a hit checks the type the caller asked for here, on the line the
   * times are on, instead of in the value's own header: one memory access fewer per hit in a cache
   * larger than the CPU's (the field fits the padding of the object, which stays 40 bytes).
   */
  private final Class<?> valueClass;
  /** From this time on a {@code getOrLoad} hit starts a background reload ({@link Long#MAX_VALUE}: never). */
  final long refreshAt;
  /** From this time on the value is expired: served only as a stale fallback. */
  final long expiresAt;
  /** 1 while a reload started by this entry runs: one reload per entry at a time. */
  @SuppressWarnings("unused") // through REFRESHING
  private volatile int refreshing;

  TimedValue(Object value, long refreshAt, long expiresAt) {
    this.value = value;
    this.valueClass = value.getClass();
    this.refreshAt = refreshAt;
    this.expiresAt = expiresAt;
  }

  @Override
  public Object value() {
    return value;
  }

  /** Whether the value is a {@code type} ({@code type.isInstance(value)} without reading the value). */
  boolean isA(Class<?> type) {
    return valueClass == type || type.isAssignableFrom(valueClass);
  }

  /** The value as the type {@link #isA} confirmed: no second check, which would read the value's header. */
  @SuppressWarnings("unchecked")
  <T> T valueAs() {
    return (T) value;
  }

  /** Whether this caller may start the reload (no other reload of this entry runs). */
  boolean claimRefresh() {
    return (int) REFRESHING.getOpaque(this) == 0 && REFRESHING.compareAndSet(this, 0, 1);
  }

  /** The reload ended (whatever its outcome); a later hit may start another. */
  void releaseRefresh() {
    REFRESHING.setVolatile(this, 0);
  }

  @Override
  public String toString() {
    return "TimedValue[" + value + "]";
  }
}
