package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.RecordingMetrics;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code redis.coherence: tracking} with Sentinel: an outside write on the master evicts L1, and
 * after the master is killed and its replica promoted, the tracking connection follows the new
 * master (L1 cleared once) and an outside write there evicts L1 again.
 */
class SentinelTrackingTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.sentinel();

  @Test
  void trackingFollowsTheMasterAcrossAFailover() throws Exception {
    RecordingMetrics metrics = new RecordingMetrics();
    try (Hyperion app = TrackingTesting.start(redis, metrics)) {
      assertThat(TrackingTesting.bus(app).isUp()).isTrue();
      Cache users = TrackingTesting.cache(app, "users");
      RedisNode master = redis.sentinelMaster();
      TrackingTesting.outsideSetEvicts("sentinel", users, metrics, "users", "u1", master);

      TrackingTesting.putIntoL1(users, metrics, "users", "u2", "before");
      master.kill();
      Duration gap = TrackingTesting.awaitL2(app, users, "users");
      RedisNode promoted = redis.sentinelMaster();
      assertThat(promoted).isNotSameAs(master);
      TrackingTesting.awaitTracking(app, Duration.ofSeconds(10));
      System.out.println("sentinel failover gap (tracking mode): " + gap.toMillis() + " ms");
      assertThat(metrics.value("hyperion_redis_l1_clears_total", "tracking", "reconnect")).isEqualTo(1);
      TrackingTesting.outsideSetEvicts("sentinel after failover", users, metrics, "users", "u2", promoted);
      master.start(); // rejoins as a replica of the new master
    }
  }
}
