package hyperion.redis;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Tells when an invalidation bus stops answering, even when its connection is cut without being
 * closed (a partition: TCP notices only after minutes). Every {@link #period()} ({@code
 * coherence_timeout / 3}) it sends a ping over the bus connection, unless the previous one is still
 * out; a reply arrives after every message Redis sent on that connection before it, so a ping sent
 * at time {@code s} and answered while the bus is {@code current} (caught up: no replay of missed
 * invalidations pending) proves that everything published before {@code s} was applied. When no
 * ping sent within the last {@code timeout} has been answered so, {@code onDown} runs (at {@code s +
 * timeout} for the last such {@code s}); at the next such answer, {@code onUp} runs.
 *
 * <p>Both callbacks run on the watchdog's own daemon thread, one at a time. The watchdog starts
 * "up" with the clock running from {@link #start()}, so a bus that never connects goes down after
 * {@code timeout} too. Used by both coherence modes; {@code ping} returns {@code null} or throws when
 * there is no connection to ping yet.
 */
final class BusWatchdog implements AutoCloseable {
  private static final Logger LOG = System.getLogger(BusWatchdog.class.getName());

  private final String name;
  private final Supplier<CompletionStage<?>> ping;
  private final BooleanSupplier current;
  private final long timeoutNanos;
  private final long periodNanos;
  private final Runnable onDown;
  private final Runnable onUp;
  private final ScheduledThreadPoolExecutor timer;
  // Confined to the timer thread.
  private long lastAnsweredSentAt;
  private boolean down;
  private ScheduledFuture<?> deadline;
  private volatile boolean inFlight;
  private volatile boolean isUp = true;

  /**
   * A watchdog named {@code name} (thread name, logs) that pings with {@code ping}, counts answers only
   * while {@code current} is true, and calls {@code onDown} / {@code onUp}; not running until {@link
   * #start()}.
   */
  BusWatchdog(String name, Supplier<CompletionStage<?>> ping, BooleanSupplier current, Duration timeout,
      Runnable onDown, Runnable onUp) {
    this.name = name;
    this.ping = ping;
    this.current = current;
    this.timeoutNanos = timeout.toNanos();
    this.periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), timeoutNanos / 3);
    this.onDown = onDown;
    this.onUp = onUp;
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "hyperion-bus-watchdog-" + name);
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
  }

  /** How often a ping is sent: a third of the timeout (at least 1 ms). */
  Duration period() {
    return Duration.ofNanos(periodNanos);
  }

  /** Whether the last ping sent within the timeout was answered (true until the first timeout). */
  boolean isUp() {
    return isUp;
  }

  /** Starts pinging; the first deadline is {@code timeout} from now. */
  void start() {
    timer.execute(() -> {
      lastAnsweredSentAt = System.nanoTime();
      armDeadline();
    });
    timer.scheduleAtFixedRate(this::tick, 0, periodNanos, TimeUnit.NANOSECONDS);
  }

  /** Stops pinging; no callback runs afterwards. */
  @Override
  public void close() {
    timer.shutdownNow();
  }

  private void tick() {
    if (inFlight) {
      return; // the last ping is still out (a cut link): its answer, or the deadline, decides
    }
    long sentAt = System.nanoTime();
    CompletionStage<?> reply;
    try {
      reply = ping.get();
    } catch (RuntimeException e) {
      return; // no connection to ping: only an answer moves the deadline
    }
    if (reply == null) {
      return;
    }
    inFlight = true;
    reply.whenComplete((r, e) -> {
      inFlight = false;
      if (e == null) {
        try {
          timer.execute(() -> answered(sentAt));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
          // closed meanwhile
        }
      }
    });
  }

  private void answered(long sentAt) {
    if (sentAt - lastAnsweredSentAt <= 0 || !current.getAsBoolean()) {
      return; // not current: a replay is pending, so delivery up to sentAt is not proven yet
    }
    lastAnsweredSentAt = sentAt;
    armDeadline();
    if (down) {
      down = false;
      isUp = true;
      LOG.log(Level.INFO, "redis: invalidation bus ({0}) answers again", name);
      run(onUp);
    }
  }

  private void armDeadline() {
    if (deadline != null) {
      deadline.cancel(false);
    }
    long delay = lastAnsweredSentAt + timeoutNanos - System.nanoTime();
    deadline = timer.schedule(this::expired, Math.max(0, delay), TimeUnit.NANOSECONDS);
  }

  private void expired() {
    if (down || System.nanoTime() - lastAnsweredSentAt < timeoutNanos) {
      return;
    }
    down = true;
    isUp = false;
    LOG.log(Level.WARNING, "redis: invalidation bus ({0}) did not answer within {1} ms; L1 copies are not "
        + "trusted until it does", name, String.valueOf(TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
    run(onDown);
  }

  private void run(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "redis: invalidation bus watchdog callback failed", e);
    }
  }

  @Override
  public String toString() {
    return "BusWatchdog[" + name + ", timeout=" + Duration.ofNanos(timeoutNanos) + "]";
  }
}
