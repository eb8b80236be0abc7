package hyperion.cache;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One load per key at a time: the first caller for a key runs the load, callers that arrive while
 * it runs wait for its result instead of running their own. Shared by every {@link hyperion.Cache}
 * implementation's {@code getOrLoad}.
 *
 * <p>No lock is held while a load runs (unlike a map's atomic {@code compute}, which would block
 * unrelated keys in the same hash bin for as long as a slow loader takes).
 */
public final class LoadCoalescer {

  private final Map<String, CompletableFuture<Object>> running = new ConcurrentHashMap<>();

  /**
   * Runs {@code load} for {@code key}, or waits for the run already under way, and returns its
   * result (which may be {@code null}). An unchecked exception or error of the run is rethrown to
   * the caller that ran it and to every waiter; nothing is remembered once the run ends.
   */
  public Object run(String key, Supplier<?> load) {
    CompletableFuture<Object> mine = new CompletableFuture<>();
    CompletableFuture<Object> other = running.putIfAbsent(key, mine);
    if (other != null) {
      return join(other);
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

  private static Object join(CompletableFuture<Object> other) {
    try {
      return other.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e; // unreachable: runs only complete with unchecked exceptions
    }
  }
}
