package hyperion.caffeine;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Cache;
import hyperion.Context;
import hyperion.HyperionModule;
import hyperion.cache.RemoteLayer;
import hyperion.testkit.CacheContract;
import hyperion.testkit.InMemoryRemoteLayer;

/**
 * The cache over the Caffeine L1 and an in-memory L2, composed by HyperionModule exactly as in a
 * service with both adapters installed (adapter-redis runs the kit over real Redis).
 */
class TieredCaffeineContractTest extends CacheContract {
  private final Injector injector = injector(new HyperionModule());

  /** The two adapters as a service installs them, with the in-memory L2 in Redis's place. */
  static Injector injector(HyperionModule hyperion) {
    return Guice.createInjector(hyperion, new CaffeineModule(), new AbstractModule() {
      @Override
      protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), RemoteLayer.Factory.class).setBinding()
            .toInstance(new InMemoryRemoteLayer.Server());
      }
    });
  }

  @Override
  protected Cache newCache(String name) {
    return injector.getInstance(Context.class).cache(name);
  }
}
