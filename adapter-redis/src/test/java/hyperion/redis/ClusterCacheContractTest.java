package hyperion.redis;

import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.CacheContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cache contract against a Redis Cluster of 3 masters and 3 replicas (MGET, UNLINK and SCAN span slots). */
class ClusterCacheContractTest extends CacheContract {
  @RegisterExtension
  static final RedisServers redis = RedisServers.cluster();
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
