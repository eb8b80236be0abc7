package hyperion.caffeine;

import com.google.inject.Guice;
import com.google.inject.Injector;
import hyperion.Cache;
import hyperion.Context;
import hyperion.HyperionModule;
import hyperion.testkit.CacheContract;

/** The Caffeine L1, as {@code Context.cache(name)} hands it out with only CaffeineModule installed. */
class CaffeineCacheContractTest extends CacheContract {
  private final Injector injector = Guice.createInjector(new HyperionModule(), new CaffeineModule());

  @Override
  protected Cache newCache(String name) {
    return injector.getInstance(Context.class).cache(name);
  }
}
