package hyperion;

import hyperion.cache.CacheArguments;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The cache port: a named, typed key-value cache with per-entry time-to-live.
 *
 * <p>Implementations: the in-process L1 ({@code hyperion.caffeine}), the shared L2 ({@code
 * hyperion.redis}) and {@link hyperion.cache.TieredCache}, which composes the two. Obtain a cache
 * with {@link Context#cache(String)} or {@link CacheManager#cache(String)}.
 *
 * <p>Contract shared by all implementations (and checked by the contract kit):
 *
 * <ul>
 *   <li>Keys are non-empty strings; values are non-null. Bad arguments throw {@link
 *       IllegalArgumentException} or {@link NullPointerException} naming the argument.
 *   <li>A value read back with a type it is not an instance of (L1) or cannot be decoded as (L2)
 *       is a miss, not an exception.
 *   <li>Backend failures (a remote cache that is down) are misses on reads and are swallowed on
 *       writes: the cache degrades, the caller is still served.
 *   <li>L1 caches store the object itself: cache immutable values (records), because a mutation of
 *       a cached object is visible to every reader.
 * </ul>
 */
public interface Cache {

  /** The cache's name, as configured under {@code cache.<name>}. */
  String name();

  /** The value for {@code key} if present, unexpired and of {@code type}. */
  <T> Optional<T> get(String key, Class<T> type);

  /**
   * The value for {@code key} with its remaining time-to-live, so a layer above can copy it for no
   * longer than it has left. The default reports the TTL as unknown ({@code null}); remote layers
   * override it.
   */
  default <T> Optional<Entry<T>> getEntry(String key, Class<T> type) {
    return get(key, type).map(v -> new Entry<>(v, null));
  }

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
   * is the loader's exception (unchecked exceptions are rethrown as they are).
   */
  <T> T getOrLoad(String key, Class<T> type, Duration ttl, Loader<? extends T> loader);

  /**
   * The present entries among {@code keys}; missing keys are absent from the result. The default
   * reads key by key, which is right for in-process layers; remote layers override it with one
   * round trip.
   */
  default <T> Map<String, T> getAll(Collection<String> keys, Class<T> type) {
    Map<String, T> out = new LinkedHashMap<>();
    for (String k : keys) {
      get(k, type).ifPresent(v -> out.put(k, v));
    }
    return out;
  }

  /**
   * Stores every entry for {@code ttl} ({@code null}: the default TTL). Every entry is checked
   * before any is written, so bad input writes nothing. The default then puts them one by one;
   * remote layers override it to pipeline.
   */
  default void putAll(Map<String, ?> entries, Duration ttl) {
    entries.forEach((k, v) -> CacheArguments.entry(k, v, ttl));
    entries.forEach((k, v) -> put(k, v, ttl));
  }

  /** Removes {@code key}; returns whether this cache layer held it (best effort for remote layers). */
  boolean delete(String key);

  /** Whether {@code key} is present and unexpired. */
  boolean exists(String key);

  /** Removes every entry of this cache (only this cache's keys, never other caches'). */
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
