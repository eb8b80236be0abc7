package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.RecordingMetrics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code redis.coherence: tracking} on a 3-master Cluster: an outside write on any master evicts
 * L1, and so does one on the new owner after the key's slot was migrated to another master, and on
 * the promoted replica after a master was killed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTrackingTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.cluster();
  static final RecordingMetrics metrics = new RecordingMetrics();
  static Hyperion app;

  @BeforeAll
  static void start() {
    app = TrackingTesting.start(redis, metrics);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  @Order(1)
  void aPlainRedisCliSetOnEveryMasterEvictsTheL1Copy() throws Exception {
    assertThat(TrackingTesting.bus(app).isUp()).isTrue();
    assertThat(TrackingTesting.bus(app).trackedCount()).isEqualTo(3);
    assertThat(app.injector().getInstance(RedisHealthCheck.class).check().message())
        .endsWith("; invalidation bus (tracking) up, 3 of 3 masters tracked");
    Map<RedisNode, String> keyPerMaster = new LinkedHashMap<>();
    for (int i = 0; keyPerMaster.size() < 3; i++) {
      String key = "k" + i;
      keyPerMaster.putIfAbsent(redis.clusterMasterFor(RedisTesting.redisKey("users", key)), key);
    }
    for (Map.Entry<RedisNode, String> e : keyPerMaster.entrySet()) {
      TrackingTesting.outsideSetEvicts("cluster master " + e.getKey().port(), app, metrics, "users", e.getValue(),
          e.getKey());
    }
  }

  @Test
  @Order(2)
  void afterTheKeysSlotMovesAnOutsideSetOnTheNewOwnerEvicts() throws Exception {
    Cache users = TrackingTesting.cache(app, "users");
    String key = "moving";
    String redisKey = RedisTesting.redisKey("users", key);
    users.put(key, "v");
    double clears = TrackingTesting.clears(metrics, "reconnect");
    RedisNode source = redis.clusterMasterFor(redisKey);
    RedisNode target = redis.nodes().stream()
        .filter(n -> n != source && n.isAlive() && "master".equals(n.info("replication", "role")))
        .findFirst().orElseThrow();
    migrateSlot(source, target, redisKey);
    assertThat(redis.clusterMasterFor(redisKey)).isSameAs(target);
    // Both masters stay tracked: nothing to re-establish, nothing cleared.
    assertThat(TrackingTesting.bus(app).isUp()).isTrue();
    TrackingTesting.outsideSetEvicts("cluster after reshard", app, metrics, "users", key, target);
    assertThat(TrackingTesting.clears(metrics, "reconnect")).isEqualTo(clears);
  }

  @Test
  @Order(3)
  void afterAMasterFailsOverTheNewMasterIsTrackedAndL1WasCleared() throws Exception {
    Cache users = TrackingTesting.cache(app, "users");
    String key = "failover";
    String redisKey = RedisTesting.redisKey("users", key);
    TrackingTesting.putIntoL1(users, metrics, "users", key, "before");
    double clears = TrackingTesting.clears(metrics, "reconnect");
    RedisNode master = redis.clusterMasterFor(redisKey);
    master.kill();
    TrackingTesting.awaitL2(app, users, "users");
    RedisNode promoted = redis.clusterMasterFor(redisKey);
    assertThat(promoted).isNotSameAs(master);
    RedisNode.await("the promoted master to be tracked", Duration.ofSeconds(10),
        () -> TrackingTesting.bus(app).isUp() && TrackingTesting.bus(app).trackedCount() == 3);
    // Writes to the promoted master before it was tracked were not seen: L1 was cleared.
    assertThat(TrackingTesting.clears(metrics, "reconnect")).isGreaterThan(clears);
    TrackingTesting.outsideSetEvicts("cluster after failover", app, metrics, "users", key, promoted);
  }

  /** Moves {@code redisKey}'s slot and its keys from {@code source} to {@code target}, as a reshard does. */
  static void migrateSlot(RedisNode source, RedisNode target, String redisKey) {
    long slot = (Long) source.call("CLUSTER", "KEYSLOT", redisKey);
    String sourceId = source.callString("CLUSTER", "MYID");
    String targetId = target.callString("CLUSTER", "MYID");
    assertThat(target.callString("CLUSTER", "SETSLOT", slot, "IMPORTING", sourceId)).isEqualTo("OK");
    assertThat(source.callString("CLUSTER", "SETSLOT", slot, "MIGRATING", targetId)).isEqualTo("OK");
    while (true) {
      List<?> keys = (List<?>) source.call("CLUSTER", "GETKEYSINSLOT", slot, 100);
      if (keys.isEmpty()) {
        break;
      }
      List<Object> migrate = new java.util.ArrayList<>(List.of("MIGRATE", "127.0.0.1", target.port(), "", 0, 5000,
          "KEYS"));
      migrate.addAll(keys);
      assertThat(source.callString(migrate.toArray())).isEqualTo("OK");
    }
    for (RedisNode n : List.of(target, source)) {
      assertThat(n.callString("CLUSTER", "SETSLOT", slot, "NODE", targetId)).isEqualTo("OK");
    }
    for (RedisNode n : redis.nodes()) {
      if (n.isAlive() && n != source && n != target && "master".equals(n.info("replication", "role"))) {
        n.callString("CLUSTER", "SETSLOT", slot, "NODE", targetId);
      }
    }
    RedisNode.await("every node to agree on the slot's owner", Duration.ofSeconds(10),
        () -> redis.nodes().stream().filter(RedisNode::isAlive).allMatch(n -> redis.clusterMasterFor(redisKey) == target
            && ((List<?>) n.call("CLUSTER", "SLOTS")).stream().map(r -> (List<?>) r)
                .anyMatch(r -> (Long) r.get(0) <= slot && slot <= (Long) r.get(1)
                    && (Long) ((List<?>) r.get(2)).get(1) == target.port())));
  }
}
