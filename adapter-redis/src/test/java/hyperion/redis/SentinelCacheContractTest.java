package hyperion.redis;

import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.CacheContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cache contract against Sentinel: 1 master, 1 replica, 3 Sentinels. */
class SentinelCacheContractTest extends CacheContract {
  @RegisterExtension
  static final RedisServers redis = RedisServers.sentinel();
  private static Hyperion app;

  @Override
  protected Cache newCache(String name) {
    if (app == null) {
      app = RedisTesting.start(redis);
    }
    return RedisTesting.l2(app).cache(name);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
      app = null;
    }
  }
}
