package hyperion;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * The cache port: a named, typed key-value cache with per-entry time-to-live. Obtain one with
 * {@link Context#cache(String)} or {@link CacheManager#cache(String)}.
 *
 * <p>What backs it depends on the installed adapters: an in-process layer ({@code
 * hyperion.caffeine}), a shared layer ({@code hyperion.redis}), both (reads go L1, then L2, then the
 * loader), or neither (nothing is stored). The behaviour below holds for every combination and is
 * checked by one contract kit:
 *
 * <ul>
 *   <li>Keys are non-empty strings; values are non-null. Bad arguments throw {@link
 *       IllegalArgumentException} or {@link NullPointerException} naming the argument.
 *   <li>A value read back with a type it is not an instance of (L1) or cannot be decoded as (L2)
 *       is a miss, not an exception.
 *   <li>Backend failures (a remote layer that is down or slow) never reach the caller: reads miss,
 *       writes still reach the in-process layer, and no call waits on the remote layer longer than
 *       the cache's {@code l2_timeout} in total.
 *   <li>The in-process layer stores the object itself: cache immutable values (records), because a
 *       mutation of a cached object is visible to every reader.
 * </ul>
 */
public interface Cache {

  /** The cache's name, as configured under {@code cache.<name>}. */
  String name();

  /** The value for {@code key} if present, unexpired and of {@code type}. */
  <T> Optional<T> get(String key, Class<T> type);

  /**
   * The value for {@code key} if present, unexpired and of {@code type}, else {@code null}: {@link
   * #get} without the {@code Optional}, so an in-process hit allocates nothing.
   */
  <T> T getIfPresent(String key, Class<T> type);

  /**
   * {@link #getIfPresent(String, Class)} for a generic value type such as {@code List<User>}: the
   * shared layer decodes the stored bytes as {@code type}; the in-process layer checks the raw
   * class only.
   */
  <T> T getIfPresent(String key, TypeRef<T> type);

  /** The value for {@code key} with its remaining time-to-live, if present, unexpired and of {@code type}. */
  <T> Optional<Entry<T>> getEntry(String key, Class<T> type);

  /** Stores {@code value} with the cache's default TTL. */
  default void put(String key, Object value) {
    put(key, value, null);
  }

  /**
   * Stores {@code value} for {@code ttl}, which must be positive; {@code null} means the cache's
   * default TTL.
   */
  void put(String key, Object value, Duration ttl);

  /**
   * Returns the cached value for {@code key}, or runs {@code loader} once, caches its result for
   * {@code ttl} ({@code null}: the default TTL) and returns it. Concurrent calls for the same key
   * in this process share one loader run.
   *
   * <p>A loader that returns {@code null} means "not found": {@code null} is returned and nothing
   * is cached, unless the cache has negative caching enabled, in which case the absence is cached
   * for the negative TTL and later calls return {@code null} without running the loader. A loader
   * that throws caches nothing; every waiting caller gets a {@link CacheLoadException} whose cause
   * is the loader's exception (unchecked exceptions are rethrown as they are). A caller waiting for
   * another caller's load waits as long as the loader runs; interrupting it ends its wait with a
   * {@link CacheLoadException} (interrupt flag kept) while the load goes on for the others.
   */
  <T> T getOrLoad(String key, Class<T> type, Duration ttl, Loader<? extends T> loader);

  /**
   * {@link #getOrLoad(String, Class, Duration, Loader)} for a generic value type such as {@code
   * List<User>}: the shared layer decodes the stored bytes as {@code type}; the in-process layer
   * checks the raw class only, so do not cache different parameterizations of one class under the
   * same key.
   */
  <T> T getOrLoad(String key, TypeRef<T> type, Duration ttl, Loader<? extends T> loader);

  /**
   * The present entries among {@code keys}, in the order of {@code keys}; missing keys are absent
   * from the result. The remote layer is asked once for all keys the in-process layer lacks.
   */
  <T> Map<String, T> getAll(Collection<String> keys, Class<T> type);

  /** {@link #getAll(Collection, Class)} for a generic value type, decoded as {@code type} by the shared layer. */
  <T> Map<String, T> getAll(Collection<String> keys, TypeRef<T> type);

  /**
   * Stores every entry for {@code ttl} ({@code null}: the default TTL). Every entry is checked
   * before any is written, so bad input writes nothing. The remote layer gets the batch in one
   * round trip, and other instances get one invalidation for the whole batch.
   */
  void putAll(Map<String, ?> entries, Duration ttl);

  /** Removes {@code key}; returns whether any layer held it. */
  boolean delete(String key);

  /** Whether {@code key} is present and unexpired. */
  boolean exists(String key);

  /**
   * Removes every entry of this cache (only this cache's keys, never other caches'). On a remote
   * layer this walks its keys: an operations tool, not a request path.
   */
  void clear();

  /**
   * A value read together with its remaining time-to-live.
   *
   * @param <T> the value type
   * @param value the cached value, never {@code null}
   * @param ttl the remaining time-to-live, or {@code null} when the layer cannot tell
   */
  record Entry<T>(T value, Duration ttl) {}

  /**
   * Computes a value for a key on a miss.
   *
   * @param <T> the value type
   */
  @FunctionalInterface
  interface Loader<T> {
    /** The value for {@code key}, or {@code null} when there is none. */
    T load(String key) throws Exception;
  }
}
