package hyperion;

import hyperion.testkit.CacheContract;
import hyperion.testkit.InMemoryLocalLayer;
import hyperion.testkit.InMemoryRemoteLayer;
import org.junit.jupiter.api.Nested;

/**
 * The cache contract over every combination of layers, with in-memory layers (the adapters run the
 * same kit over Caffeine and real Redis servers).
 */
class LayeredCacheContractTest {

  @Nested
  class L1Only extends CacheContract {
    private final Context ctx = CacheLayers.context(new InMemoryLocalLayer.Factory(), null);

    @Override
    protected Cache newCache(String name) {
      return ctx.cache(name);
    }
  }

  @Nested
  class L2Only extends CacheContract {
    private final Context ctx = CacheLayers.context(null, new InMemoryRemoteLayer.Server());

    @Override
    protected Cache newCache(String name) {
      return ctx.cache(name);
    }
  }

  @Nested
  class L1AndL2 extends CacheContract {
    private final Context ctx = CacheLayers.context(new InMemoryLocalLayer.Factory(), new InMemoryRemoteLayer.Server());

    @Override
    protected Cache newCache(String name) {
      return ctx.cache(name);
    }
  }
}
