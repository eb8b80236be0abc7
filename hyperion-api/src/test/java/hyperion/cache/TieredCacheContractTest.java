package hyperion.cache;

import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.testkit.CacheContract;
import hyperion.testkit.InMemoryCacheManager;
import hyperion.testkit.RecordingMetrics;
import hyperion.testkit.RecordingTracer;

/** {@link TieredCache} over two in-memory layers honours the cache contract. */
class TieredCacheContractTest extends CacheContract {
  private final CacheManager manager = TieredCache.builder(new InMemoryCacheManager(), new InMemoryCacheManager())
      .metrics(new RecordingMetrics()).tracer(new RecordingTracer()).build();

  @Override
  protected Cache newCache(String name) {
    return manager.cache(name);
  }
}
