package hyperion.cache;

import hyperion.CacheManager;
import hyperion.InvalidationBus;
import hyperion.Metrics;
import hyperion.Tracer;
import hyperion.config.CacheConfig;

/**
 * A two-level cache over an L1 and an L2 {@link hyperion.Cache}. Implemented by the
 * adapter-caffeine/TieredCache issue; until then composing two layers is refused at start-up.
 */
public final class TieredCache {
  private TieredCache() {}

  /** The manager that composes same-named caches of {@code l1} and {@code l2}. */
  public static CacheManager manager(CacheManager l1, CacheManager l2, InvalidationBus bus, CacheConfig config,
      Metrics metrics, Tracer tracer) {
    throw new UnsupportedOperationException("TieredCache is not implemented yet (issue #4)");
  }
}
