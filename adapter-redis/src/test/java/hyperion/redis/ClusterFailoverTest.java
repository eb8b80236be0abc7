package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Cluster failover: a killed master's replica takes over its slots and cache calls on them resume. */
class ClusterFailoverTest {
  /** Gap allowed between killing a master and the first successful write + read after it. */
  static final Duration MAX_GAP = Duration.ofSeconds(20);

  /**
   * Writes and reads {@code key} until both succeed, failing after {@link #MAX_GAP}. Every call
   * returns normally while the master is gone: misses and dropped writes, never exceptions.
   */
  static Duration awaitWriteAndRead(Cache cache, String key) throws InterruptedException {
    long t0 = System.nanoTime();
    int round = 0;
    while (true) {
      String value = "v" + round++;
      cache.put(key, value);
      if (cache.get(key, String.class).equals(Optional.of(value))) {
        return Duration.ofNanos(System.nanoTime() - t0);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("failover gap").isLessThan(MAX_GAP);
      Thread.sleep(50);
    }
  }


  @RegisterExtension
  static final RedisServers redis = RedisServers.cluster();

  @Test
  void masterKilledThenItsReplicaServesItsSlots() throws Exception {
    try (Hyperion app = RedisTesting.start(redis)) {
      Cache cache = RedisTesting.l2(app).cache("failover");
      String key = "k";
      cache.put(key, "before");
      assertThat(cache.get(key, String.class)).contains("before");
      RedisNode master = redis.clusterMasterFor(RedisTesting.l2(app).cache("failover") instanceof RedisCache rc
          ? rc.redisKey(key) : key);
      master.kill();
      Duration gap = awaitWriteAndRead(cache, key);
      RedisNode now = redis.clusterMasterFor(((RedisCache) cache).redisKey(key));
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
