package hyperion.redis;

import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.CacheContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cache contract against one standalone redis-server. */
class StandaloneCacheContractTest extends CacheContract {
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();
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
