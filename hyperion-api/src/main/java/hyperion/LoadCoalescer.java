package hyperion;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One load per key at a time: the first caller for a key runs the load, callers that arrive while
 * it runs wait for its result instead of running their own.
 *
 * <p>Each load remembers the cache's write epoch when it began. A caller that has seen a later
 * epoch (a write or an invalidation happened after the running load began) does not join it, since
 * it could return a value older than that write; it starts a load of its own, which later callers
 * join instead. No lock is held while a load runs (unlike a map's atomic {@code compute}, which
 * would block unrelated keys in the same hash bin for as long as a slow loader takes).
 */
final class LoadCoalescer {

  private static final class Load extends CompletableFuture<Object> {
    final long epoch;

    Load(long epoch) {
      this.epoch = epoch;
    }
  }

  private final ConcurrentHashMap<String, Load> running = new ConcurrentHashMap<>();
  private final String cache;

  /** The coalescer of cache {@code cache} (named in the exception of an interrupted waiter). */
  LoadCoalescer(String cache) {
    this.cache = cache;
  }

  /**
   * Runs {@code load} for {@code key} as a caller that has seen write epoch {@code epoch}, or waits
   * for a run already under way that began at that epoch or later, and returns its result (which
   * may be {@code null}). An unchecked exception or error of the run is rethrown to the caller that
   * ran it and to every waiter; nothing is remembered once the run ends.
   */
  Object run(String key, long epoch, Supplier<?> load) {
    Load mine = new Load(epoch);
    while (true) {
      Load other = running.putIfAbsent(key, mine);
      if (other == null) {
        break;
      }
      if (other.epoch >= epoch) {
        return join(key, other);
      }
      if (running.replace(key, other, mine)) {
        break; // the older run finishes for its own callers; later callers join this one
      }
    }
    try {
      Object value = load.get();
      mine.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      running.remove(key, mine);
    }
  }

  /**
   * Waits for another caller's run. Interruptible: an interrupted waiter keeps its interrupt flag
   * and gets a {@link CacheLoadException}, the run goes on for the others.
   */
  private Object join(String key, CompletableFuture<Object> other) {
    try {
      return other.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheLoadException(cache, key, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause); // unreachable: runs only complete with unchecked exceptions
    }
  }
}
