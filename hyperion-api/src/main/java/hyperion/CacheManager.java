package hyperion;

/**
 * Hands out named caches. Each adapter binds its own manager under a layer qualifier ({@link L1}
 * or {@link L2}); the unqualified {@code CacheManager} that {@link Context#cache(String)} uses is
 * composed by {@link HyperionModule}: both layers give a {@link hyperion.cache.TieredCache}, one
 * layer gives that layer, none gives caches that store nothing.
 */
public interface CacheManager {

  /**
   * The cache named {@code name}, created on first use from its {@code cache.<name>} settings (or
   * {@code cache.default}). The same instance is returned for the same name.
   */
  Cache cache(String name);
}
