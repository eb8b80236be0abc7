package hyperion;

/**
 * Hands out named caches. Bound by {@link HyperionModule}; {@link Context#cache(String)} uses it.
 * Every cache it hands out is backed by whatever cache layers the installed adapters provide: an
 * in-process layer, a shared layer, both, or none (then nothing is stored).
 */
public interface CacheManager {

  /**
   * The cache named {@code name}, created on first use from its {@code cache.<name>} settings (or
   * {@code cache.default}). The same instance is returned for the same name. Names must be
   * non-empty, without {@code ':'} or whitespace ({@link IllegalArgumentException} otherwise).
   */
  Cache cache(String name);

  /**
   * The most requested keys of every cache created so far with {@code hot_keys} &gt; 0, by cache
   * name, most requested first: estimates from a sample of lookups (see docs/caching.md, "Hot
   * keys"). For operators; the admin server serves it. Caches without {@code hot_keys} are absent.
   */
  default java.util.Map<String, java.util.List<HotKey>> hotKeys() {
    return java.util.Map.of();
  }
}
