package hyperion.redis;

import hyperion.cache.InvalidationBus.Listener;
import hyperion.internal.RateLimitedLog;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The listeners of an invalidation bus, in either coherence mode. Every call reaches every
 * listener; one that throws is logged (at most once per 10 s) and does not stop the others.
 * {@link #suspend} and {@link #resume} signal only a change, so a bus may call them on every
 * watchdog verdict.
 */
final class BusListeners {
  private static final Logger LOG = System.getLogger(BusListeners.class.getName());

  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final RateLimitedLog log = new RateLimitedLog(LOG, 10_000);
  /** Guarded by {@code this}: whether the listeners were told {@link Listener#suspended}. */
  private boolean suspended;

  void add(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** {@code keys} of {@code cache} changed; {@code null} keys: the whole cache. */
  void invalidate(String cache, List<String> keys) {
    each(l -> {
      if (keys == null) {
        l.invalidate(cache, null);
      } else {
        for (String key : keys) {
          l.invalidate(cache, key);
        }
      }
    }, "");
  }

  /** Invalidations were missed: every L1 entry must go. */
  void reconnected() {
    each(Listener::reconnected, " on reconnect");
  }

  /** Tells the listeners {@link Listener#suspended} unless they were already; whether it did. */
  synchronized boolean suspend(Duration keepFor) {
    if (suspended) {
      return false;
    }
    suspended = true;
    each(l -> l.suspended(keepFor), " on suspend");
    return true;
  }

  /** Tells the listeners {@link Listener#resumed} if they were suspended. */
  synchronized void resume() {
    if (suspended) {
      suspended = false;
      each(Listener::resumed, " on resume");
    }
  }

  private void each(Consumer<Listener> signal, String when) {
    for (Listener l : listeners) {
      try {
        signal.accept(l);
      } catch (RuntimeException e) {
        log.warn("listener", () -> "redis: an invalidation listener failed" + when + ": " + e);
      }
    }
  }
}
