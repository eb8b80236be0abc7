package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Cluster failover: a killed master's replica takes over its slots and cache calls on them resume. */
class ClusterFailoverTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.cluster();

  @Test
  void masterKilledThenItsReplicaServesItsSlots() throws Exception {
    try (Hyperion app = RedisTesting.start(redis)) {
      Cache cache = RedisTesting.l2(app).cache("failover");
      String key = "k";
      cache.put(key, "before");
      assertThat(cache.get(key, String.class)).contains("before");
      RedisNode master = redis.clusterMasterFor(RedisTesting.redisKey("failover", key));
      master.kill();
      Duration gap = RedisTesting.awaitWriteAndRead(cache, key);
      RedisNode now = redis.clusterMasterFor(RedisTesting.redisKey("failover", key));
      assertThat(now).isNotSameAs(master);
      System.out.println("cluster failover gap: " + gap.toMillis() + " ms");
      // Keys in every slot work (MGET/UNLINK/SCAN across masters after the topology change).
      for (int i = 0; i < 50; i++) {
        cache.put("x" + i, "y");
      }
      assertThat(cache.getAll(java.util.stream.IntStream.range(0, 50).mapToObj(i -> "x" + i).toList(), String.class))
          .hasSize(50);
      cache.clear();
      assertThat(cache.exists("x1")).isFalse();
    }
  }
}
