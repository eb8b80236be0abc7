package hyperion;

import java.time.Duration;
import java.util.Objects;

/** The argument checks of the {@link Cache} port and the loader call, in one place for the tier. */
final class CacheArguments {
  private CacheArguments() {}

  /** Checks a key: non-null and non-empty. */
  static void key(String key) {
    if (key == null) {
      throw new NullPointerException("key");
    }
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty");
    }
  }

  /** Checks a TTL: {@code null} (the default) or positive. */
  static void ttl(Duration ttl) {
    if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
      throw new IllegalArgumentException("ttl must be positive (or null for the cache's default), got " + ttl);
    }
  }

  /** Checks a key, a non-null value and a TTL. */
  static void entry(String key, Object value, Duration ttl) {
    key(key);
    Objects.requireNonNull(value, () -> "value for key '" + key + "' (caches hold no nulls)");
    ttl(ttl);
  }

  /**
   * Checks a cache name: non-empty, printable, without whitespace (Unicode's too) or {@code ':'} (the separator between a cache's
   * name and its keys in a shared layer, so one cache's keys can never match another's).
   */
  static void name(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.indexOf(':') >= 0 || name.chars().anyMatch(c -> c < 0x21 || c == 0x7f
        || Character.isWhitespace(c) || Character.isSpaceChar(c))) {
      throw new IllegalArgumentException("cache name must be non-empty, without ':' or whitespace, got '" + name
          + "'");
    }
  }

  /**
   * Runs {@code loader}: unchecked exceptions propagate as they are, checked ones are wrapped in
   * {@link CacheLoadException}.
   */
  static <T> T load(String cache, String key, Cache.Loader<? extends T> loader) {
    try {
      return loader.load(key);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new CacheLoadException(cache, key, e);
    }
  }
}
