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
 * master (L1 cleared once) and an outside write there evicts L1 again; the same after a manual
 * failover that leaves the old master running as a replica.
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
      TrackingTesting.outsideSetEvicts("sentinel", app, metrics, "users", "u1", master);

      TrackingTesting.putIntoL1(users, metrics, "users", "u2", "before");
      double clears = TrackingTesting.clears(metrics, "reconnect");
      master.kill();
      Duration gap = TrackingTesting.awaitL2(app, users, "users");
      RedisNode promoted = redis.sentinelMaster();
      assertThat(promoted).isNotSameAs(master);
      TrackingTesting.awaitTracking(app, Duration.ofSeconds(10));
      System.out.println("sentinel failover gap (tracking mode): " + gap.toMillis() + " ms");
      assertThat(TrackingTesting.clears(metrics, "reconnect")).isEqualTo(clears + 1);
      TrackingTesting.outsideSetEvicts("sentinel after failover", app, metrics, "users", "u2", promoted);
      master.start(); // rejoins as a replica of the new master

      // A failover that leaves the old master alive (demoted to a replica): the tracking connection
      // must leave it for the new master, and L1 is cleared once more.
      RedisNode.await("the old master to be an in-sync replica", Duration.ofSeconds(30),
          () -> "slave".equals(master.info("replication", "role"))
              && "up".equals(master.info("replication", "master_link_status")));
      TrackingTesting.putIntoL1(users, metrics, "users", "u3", "before");
      assertThat(redis.sentinels().get(0).callString("SENTINEL", "FAILOVER", RedisServers.MASTER_NAME))
          .isEqualTo("OK");
      RedisNode.await("the Sentinels to name the old master again", Duration.ofSeconds(20),
          () -> redis.sentinelMaster() == master);
      RedisNode.await("tracking on the new master", Duration.ofSeconds(10),
          () -> TrackingTesting.clears(metrics, "reconnect") == clears + 2
              && TrackingTesting.bus(app).isUp());
      // Until the Sentinels demote the previous master, it still takes writes (the command connection
      // may still be there): wait for that, and for the command connection to follow.
      RedisNode.await("the previous master to be demoted", Duration.ofSeconds(30),
          () -> "slave".equals(promoted.info("replication", "role")));
      TrackingTesting.awaitL2(app, users, "users");
      TrackingTesting.outsideSetEvicts("sentinel after a manual failover", app, metrics, "users", "u3", master);
    }
  }
}
