package hyperion;

import com.google.inject.Guice;
import hyperion.testkit.CacheContract;

/** With no cache adapter installed, {@code Context.cache(name)} stores nothing and never breaks callers. */
class NoopCacheContractTest extends CacheContract {
  private final Context context = Guice.createInjector(new HyperionModule()).getInstance(Context.class);

  @Override
  protected Cache newCache(String name) {
    return context.cache(name);
  }

  @Override
  protected boolean storesValues() {
    return false;
  }
}
