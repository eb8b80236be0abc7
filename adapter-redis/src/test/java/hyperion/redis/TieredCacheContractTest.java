package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.CacheContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cache contract for {@link TieredCache} over Caffeine (L1) and a standalone Redis (L2). */
class TieredCacheContractTest extends CacheContract {
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();
  private static Hyperion app;

  @Override
  protected Cache newCache(String name) {
    if (app == null) {
      app = RedisTesting.start(RedisTesting.yaml(redis) + "cache:\n  default:\n    ttl_jitter: 0\n", null,
          new CaffeineModule());
    }
    return app.injector().getInstance(CacheManager.class).cache(name);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
      app = null;
    }
  }

  @Test
  void isTiered() {
    assertThat(cache.toString()).contains("l1, l2");
  }
}
