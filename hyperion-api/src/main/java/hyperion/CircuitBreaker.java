package hyperion;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A consecutive-failure circuit breaker for one cache's L2. Closed: every call goes through. After
 * {@code threshold} consecutive failures it opens and every call is skipped for {@code cooldown};
 * then exactly one caller is let through as a probe (half-open): success closes it, failure opens it
 * for another cooldown. Lock-free, so the closed path is one volatile read.
 */
final class CircuitBreaker {
  static final int CLOSED = 0;
  static final int OPEN = 1;
  static final int HALF_OPEN = 2;

  /** Told about state changes (to log them and set the breaker gauge). */
  interface Listener {
    void stateChanged(int state);
  }

  private final int threshold;
  private final long cooldownNanos;
  private final LongSupplier nanos;
  private final Listener listener;
  private final AtomicInteger state = new AtomicInteger(CLOSED);
  private final AtomicInteger failures = new AtomicInteger();
  private volatile long openedAt;

  CircuitBreaker(int threshold, Duration cooldown, LongSupplier nanos, Listener listener) {
    this.threshold = threshold;
    this.cooldownNanos = cooldown.toNanos();
    this.nanos = nanos;
    this.listener = listener;
  }

  /** Whether a call may go to L2 now. When it returns true the caller must report the outcome. */
  boolean allow() {
    int s = state.get();
    if (s == CLOSED) {
      return true;
    }
    if (s == OPEN && nanos.getAsLong() - openedAt >= cooldownNanos && state.compareAndSet(OPEN, HALF_OPEN)) {
      listener.stateChanged(HALF_OPEN);
      return true; // this caller is the probe; everyone else keeps skipping until it reports
    }
    return false;
  }

  void success() {
    if (failures.get() != 0) {
      failures.set(0);
    }
    if (state.get() != CLOSED && state.getAndSet(CLOSED) != CLOSED) {
      listener.stateChanged(CLOSED);
    }
  }

  void failure() {
    if (state.get() == HALF_OPEN) {
      openedAt = nanos.getAsLong();
      if (state.compareAndSet(HALF_OPEN, OPEN)) {
        listener.stateChanged(OPEN);
      }
      return;
    }
    if (failures.incrementAndGet() >= threshold && state.get() == CLOSED) {
      openedAt = nanos.getAsLong(); // written before the CAS publishes OPEN
      if (state.compareAndSet(CLOSED, OPEN)) {
        listener.stateChanged(OPEN);
      }
    }
  }

  /** The caller that was allowed through gave up without an outcome; a probe slot is handed back. */
  void abandon() {
    state.compareAndSet(HALF_OPEN, OPEN); // openedAt is old, so the next caller probes at once
  }

  int state() {
    return state.get();
  }
}
