package hyperion;

import hyperion.testkit.CacheContract;
import hyperion.testkit.InMemoryCacheManager;

/** The in-memory test cache honours the contract, so tests built on it mean something. */
class InMemoryCacheContractTest extends CacheContract {
  private final InMemoryCacheManager manager = new InMemoryCacheManager();

  @Override
  protected Cache newCache(String name) {
    return manager.cache(name);
  }
}
