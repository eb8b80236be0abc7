package hyperion.redis;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Logs a warning at most once per interval and topic, with the number of occurrences suppressed
 * since the last line, so an outage does not flood the logs.
 */
final class RateLimitedLog {
  private final Logger logger;
  private final long intervalNanos;
  private final Map<String, State> topics = new ConcurrentHashMap<>();

  private static final class State {
    final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong suppressed = new AtomicLong();
  }

  RateLimitedLog(Logger logger, long intervalMillis) {
    this.logger = logger;
    this.intervalNanos = intervalMillis * 1_000_000L;
  }

  void log(String topic, Supplier<String> message) {
    State s = topics.computeIfAbsent(topic, t -> new State());
    long now = System.nanoTime();
    long next = s.next.get();
    if ((next != Long.MIN_VALUE && now - next < 0) || !s.next.compareAndSet(next, now + intervalNanos)) {
      s.suppressed.incrementAndGet();
      return;
    }
    long suppressed = s.suppressed.getAndSet(0);
    logger.log(Level.WARNING, suppressed == 0 ? message.get()
        : message.get() + " (" + suppressed + " similar messages suppressed)");
  }
}
