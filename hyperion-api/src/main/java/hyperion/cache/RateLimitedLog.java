package hyperion.cache;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Logs at most one warning per interval and reports how many were suppressed in between, so a dead
 * L2 under load produces a line every few seconds instead of thousands.
 */
final class RateLimitedLog {
  private static final Logger LOG = System.getLogger(TieredCache.class.getName());
  private static final long INTERVAL_NANOS = 10_000_000_000L;

  private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  void warn(String message, Throwable error) {
    long now = System.nanoTime();
    long n = next.get();
    if ((n == Long.MIN_VALUE || now - n >= 0) && next.compareAndSet(n, now + INTERVAL_NANOS)) {
      long dropped = suppressed.getAndSet(0);
      LOG.log(Level.WARNING, dropped == 0 ? message : message + " (" + dropped + " similar warnings suppressed)",
          error);
    } else {
      suppressed.incrementAndGet();
    }
  }
}
