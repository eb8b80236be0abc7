package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sentinel failover: a killed master is replaced by its replica and cache calls succeed again. */
class SentinelFailoverTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.sentinel();

  @Test
  void masterKilledThenWritesAndReadsResumeOnThePromotedReplica() throws Exception {
    try (Hyperion app = RedisTesting.start(redis)) {
      Cache cache = RedisTesting.l2(app).cache("failover");
      cache.put("k", "before");
      assertThat(cache.get("k", String.class)).contains("before");
      RedisNode master = redis.sentinelMaster();
      master.kill();
      Duration gap = RedisTesting.awaitWriteAndRead(cache, "k");
      RedisNode promoted = redis.sentinelMaster();
      assertThat(promoted).isNotSameAs(master);
      System.out.println("sentinel failover gap: " + gap.toMillis() + " ms");
      master.start(); // rejoins as a replica of the new master
    }
  }
}
