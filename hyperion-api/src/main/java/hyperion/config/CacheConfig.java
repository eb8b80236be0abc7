package hyperion.config;

import java.util.Map;

/**
 * The {@code cache} section: one {@link CacheSpec} per named cache. {@code cache.default} applies
 * to caches that are not listed and fills keys missing in the ones that are.
 *
 * @param caches the configured caches by name, including {@code default}
 */
public record CacheConfig(Map<String, CacheSpec> caches) {

  /** The name of the entry that applies to unlisted caches. */
  public static final String DEFAULT = "default";

  /** Copies the map so the record stays immutable. */
  public CacheConfig {
    caches = Map.copyOf(caches);
  }

  /** The settings for cache {@code name}: its own entry, else {@code default}, else the built-in defaults. */
  public CacheSpec spec(String name) {
    CacheSpec spec = caches.get(name);
    if (spec == null) {
      spec = caches.get(DEFAULT);
    }
    return spec == null ? CacheSpec.DEFAULTS : spec;
  }
}
