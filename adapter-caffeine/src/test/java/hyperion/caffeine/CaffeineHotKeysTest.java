package hyperion.caffeine;

import com.google.inject.Guice;
import com.google.inject.Injector;
import hyperion.CacheManager;
import hyperion.HotKey;
import hyperion.HyperionModule;
import hyperion.config.Config;
import hyperion.testkit.ZipfWorkload;
import org.junit.jupiter.api.Test;

/**
 * {@code hot_keys} through the Caffeine layer on its default millisecond clock: a burst of lookups,
 * most of them L1 hits sampled by the layer, lists the head of a Zipf workload.
 */
class CaffeineHotKeysTest {

  @Test
  void aBurstOfLookupsThroughL1ListsTheZipfHead() {
    for (long seed = 1; seed <= 5; seed++) { // five workloads, each a new injector
      Injector injector = Guice.createInjector(new HyperionModule(Config.fromYaml("""
          cache:
            users:
              hot_keys: 10
          """)), new CaffeineModule());
      CacheManager caches = injector.getInstance(CacheManager.class);
      new ZipfWorkload(seed).run(caches.cache("users"));
      ZipfWorkload.assertHeads(caches.hotKeys().get("users").stream().map(HotKey::key).toList());
    }
  }
}
