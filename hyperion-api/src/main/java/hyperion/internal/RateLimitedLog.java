package hyperion.internal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Logs a warning at most once per interval and topic, with the number of messages suppressed since
 * the last line, so an outage under load produces a line every few seconds instead of thousands.
 * The message is only built when it is logged.
 */
public final class RateLimitedLog {
  private final Logger logger;
  private final long intervalNanos;
  private final Map<String, Topic> topics = new ConcurrentHashMap<>();

  private static final class Topic {
    final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong suppressed = new AtomicLong();
  }

  /** Logs through {@code logger} at most once per {@code intervalMillis} per topic. */
  public RateLimitedLog(Logger logger, long intervalMillis) {
    this.logger = logger;
    this.intervalNanos = intervalMillis * 1_000_000L;
  }

  /** Logs {@code message} as a warning unless {@code topic} was logged less than an interval ago. */
  public void warn(String topic, Supplier<String> message) {
    warn(topic, message, null);
  }

  /** Like {@link #warn(String, Supplier)}, with the stack trace of {@code error}. */
  public void warn(String topic, Supplier<String> message, Throwable error) {
    Topic t = topics.get(topic);
    if (t == null) {
      t = topics.computeIfAbsent(topic, k -> new Topic());
    }
    long now = System.nanoTime();
    long next = t.next.get();
    if ((next != Long.MIN_VALUE && now - next < 0) || !t.next.compareAndSet(next, now + intervalNanos)) {
      t.suppressed.incrementAndGet();
      return;
    }
    long suppressed = t.suppressed.getAndSet(0);
    String text = message.get();
    logger.log(Level.WARNING, suppressed == 0 ? text : text + " (" + suppressed + " similar messages suppressed)",
        error);
  }
}
