package hyperion.caffeine;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Context;
import hyperion.HyperionModule;
import hyperion.L2;
import hyperion.cache.TieredCache;
import hyperion.testkit.CacheContract;
import hyperion.testkit.InMemoryCacheManager;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TieredCache over the Caffeine L1 and the in-memory L2, composed by HyperionModule exactly as in a
 * service with both adapters installed.
 */
class TieredCaffeineContractTest extends CacheContract {
  private final Injector injector = Guice.createInjector(new HyperionModule(), new CaffeineModule(),
      new AbstractModule() {
        @Override
        protected void configure() {
          OptionalBinder.newOptionalBinder(binder(), Key.get(CacheManager.class, L2.class)).setBinding()
              .toInstance(new InMemoryCacheManager());
        }
      });

  @Override
  protected Cache newCache(String name) {
    return injector.getInstance(Context.class).cache(name);
  }

  @Test
  void bothLayersInstalledGiveATieredCache() {
    assertThat(cache).isInstanceOf(TieredCache.class);
  }
}
