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

/** Sentinel failover: a killed master is replaced by its replica and cache calls succeed again. */
class SentinelFailoverTest {
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
  static final RedisServers redis = RedisServers.sentinel();

  @Test
  void masterKilledThenWritesAndReadsResumeOnThePromotedReplica() throws Exception {
    try (Hyperion app = RedisTesting.start(redis)) {
      Cache cache = RedisTesting.l2(app).cache("failover");
      cache.put("k", "before");
      assertThat(cache.get("k", String.class)).contains("before");
      RedisNode master = redis.sentinelMaster();
      master.kill();
      Duration gap = awaitWriteAndRead(cache, "k");
      RedisNode promoted = redis.sentinelMaster();
      assertThat(promoted).isNotSameAs(master);
      System.out.println("sentinel failover gap: " + gap.toMillis() + " ms");
      master.start(); // rejoins as a replica of the new master
    }
  }
}
