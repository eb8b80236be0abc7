package hyperion.lifecycle;

import hyperion.Component;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts the bound {@link Component}s in phase order and stops them in reverse, within a deadline.
 *
 * <p>Stopping gives each remaining component a fair share of the time left (time a fast component
 * does not use rolls over to the next), so a component that hangs cannot eat the time of the
 * telemetry flush that runs last. A component that overruns its share is logged and abandoned; its
 * stop keeps running on a daemon thread that does not hold the JVM up.
 */
@Singleton
public final class Lifecycle {

  private static final Logger LOG = System.getLogger(Lifecycle.class.getName());

  /** Where the lifecycle is. */
  public enum State {
    /** Built, nothing started. */
    NEW,
    /** {@link #start()} is running. */
    STARTING,
    /** Every component started. */
    RUNNING,
    /** {@link #stop(Duration)} is running. */
    STOPPING,
    /** Every component stopped (or was abandoned). */
    STOPPED
  }

  private final List<Component> components;
  private final List<Component> started = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile State state = State.NEW;
  private volatile boolean clean = true;

  /** Orders {@code components} by phase, keeping binding order among equals. */
  @Inject
  public Lifecycle(Set<Component> components) {
    List<Component> ordered = new ArrayList<>(components);
    ordered.sort(Comparator.comparingInt(Component::phase)); // stable: ties keep binding order
    this.components = List.copyOf(ordered);
  }

  /** The current state. */
  public State state() {
    return state;
  }

  /** Whether every component started and no stop has begun; what {@code /ready} reports. */
  public boolean isRunning() {
    return state == State.RUNNING;
  }

  /** The components in start order. */
  public List<Component> components() {
    return components;
  }

  /**
   * Starts every component in order. If one fails, the ones already started are stopped in
   * reverse (with {@code rollbackDeadline}) and the failure is rethrown.
   */
  public synchronized void start(Duration rollbackDeadline) {
    if (state != State.NEW) {
      throw new IllegalStateException("lifecycle already " + state);
    }
    state = State.STARTING;
    for (Component c : components) {
      long t0 = System.nanoTime();
      try {
        c.start();
        started.add(c);
        LOG.log(Level.DEBUG, () -> "started " + c.name() + " in " + millis(t0) + " ms");
      } catch (Exception | Error e) {
        LOG.log(Level.ERROR, "component " + c.name() + " failed to start; stopping the others", e);
        stop(rollbackDeadline);
        throw new IllegalStateException("component " + c.name() + " failed to start: " + e, e);
      }
    }
    state = State.RUNNING;
  }

  /**
   * Stops the started components in reverse order within {@code deadline}. Idempotent: later calls
   * wait for the first to finish. Returns whether every component stopped cleanly in time.
   */
  public boolean stop(Duration deadline) {
    synchronized (this) {
      if (state == State.STOPPING || state == State.STOPPED) {
        // Another thread is stopping; fall through to wait for it outside the lock.
      } else {
        state = State.STOPPING;
        stopAll(deadline);
        state = State.STOPPED;
        stopped.countDown();
        return clean;
      }
    }
    awaitStopped(deadline.plusSeconds(1));
    return clean;
  }

  private void stopAll(Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    List<Component> reverse = new ArrayList<>(started);
    java.util.Collections.reverse(reverse);
    for (int i = 0; i < reverse.size(); i++) {
      Component c = reverse.get(i);
      long share = Math.max(0, (end - System.nanoTime()) / (reverse.size() - i));
      long t0 = System.nanoTime();
      CompletableFuture<Void> f = new CompletableFuture<>();
      Thread t = new Thread(() -> {
        try {
          c.stop(Duration.ofNanos(share));
          f.complete(null);
        } catch (Throwable e) {
          f.completeExceptionally(e);
        }
      }, "hyperion-stop-" + c.name());
      t.setDaemon(true);
      t.start();
      try {
        f.get(share, TimeUnit.NANOSECONDS);
        LOG.log(Level.DEBUG, () -> "stopped " + c.name() + " in " + millis(t0) + " ms");
      } catch (TimeoutException e) {
        clean = false;
        LOG.log(Level.WARNING, "component " + c.name() + " did not stop within its " + share / 1_000_000
            + " ms share of the shutdown deadline; abandoning it");
      } catch (ExecutionException e) {
        clean = false;
        LOG.log(Level.WARNING, "component " + c.name() + " failed to stop", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        clean = false;
        LOG.log(Level.WARNING, "interrupted while stopping " + c.name() + "; abandoning the rest");
        return;
      }
    }
    started.clear();
  }

  /** Blocks until {@link #stop(Duration)} has finished; returns false if {@code timeout} passed first. */
  public boolean awaitStopped(Duration timeout) {
    try {
      return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Blocks until {@link #stop(Duration)} has finished. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  private static long millis(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
