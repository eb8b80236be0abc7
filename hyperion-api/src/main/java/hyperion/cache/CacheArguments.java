package hyperion.cache;

import hyperion.Cache;
import hyperion.CacheLoadException;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks and loader invocation shared by every {@link Cache} implementation, so all
 * layers reject bad input with the same messages.
 */
public final class CacheArguments {
  private CacheArguments() {}

  /** Checks a key: non-null and non-empty. Returns it. */
  public static String key(String key) {
    if (key == null) {
      throw new NullPointerException("key");
    }
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty");
    }
    return key;
  }

  /** Checks a TTL: {@code null} (the default) or positive. Returns it. */
  public static Duration ttl(Duration ttl) {
    if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
      throw new IllegalArgumentException("ttl must be positive (or null for the cache's default), got " + ttl);
    }
    return ttl;
  }

  /** Checks a key, a non-null value and a TTL. */
  public static void entry(String key, Object value, Duration ttl) {
    key(key);
    Objects.requireNonNull(value, () -> "value for key '" + key + "' (caches hold no nulls)");
    ttl(ttl);
  }

  /**
   * Runs {@code loader}: unchecked exceptions propagate as they are, checked ones are wrapped in
   * {@link CacheLoadException}.
   */
  public static <T> T load(String cache, String key, Cache.Loader<? extends T> loader) {
    try {
      return loader.load(key);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new CacheLoadException(cache, key, e);
    }
  }
}
