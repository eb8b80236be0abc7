package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Hyperion;
import hyperion.cache.InvalidationBus;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.RecordingMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The replay stream in Sentinel and Cluster mode: the publish script's PUBLISH reaches a subscriber
 * wherever it is connected (in a Cluster, the subscriber is on another node than the stream, so the
 * message crosses the cluster bus), and a subscriber that reconnects reads what it missed from the
 * stream's node.
 */
class ReplayTopologiesTest {

  /** One scenario, run against each topology. */
  abstract static class Scenario {
    abstract RedisServers servers();

    /** The node holding {@code key} as master. */
    abstract RedisNode masterFor(String key);

    /**
     * The node A's pub/sub connection is on, waiting up to 10 s for it to be listed: the bus reads
     * its stream position on its own connection, so the pub/sub one (and its client name) can show
     * a moment later (a fresh-clone CI run looked once, too early).
     */
    RedisNode subscribedNode() {
      RedisNode[] found = new RedisNode[1];
      RedisNode.await("A's pub/sub connection", Duration.ofSeconds(10), () -> {
        for (RedisNode n : servers().nodes()) {
          if (n.isAlive() && n.callString("CLIENT", "LIST", "TYPE", "pubsub").contains(" name=replay-a ")) {
            found[0] = n;
            return true;
          }
        }
        return false;
      });
      return found[0];
    }

    /**
     * Instance A on {@code channel}; in a Cluster only if its subscription is on another node than the
     * stream, so the script's PUBLISH has to cross the cluster bus (else {@code null}).
     */
    Hyperion startA(String channel, RecordingMetrics metrics) {
      Hyperion a = RedisTesting.start(RedisTesting.yaml(servers(), "client_name: replay-a", "coherence_timeout: 1s",
          "invalidation_channel: " + channel), metrics);
      RedisInvalidationBus bus = a.injector().getInstance(RedisInvalidationBus.class);
      RedisNode.await("A's position in the stream", Duration.ofSeconds(10), () -> bus.position() != null);
      if (servers().topology() == RedisServers.Topology.CLUSTER
          && subscribedNode() == masterFor(RedisInvalidationBus.streamKey(channel))) {
        a.close();
        return null;
      }
      return a;
    }

    @Test
    void publishesThroughTheStreamAndReplaysWhatAReconnectMissed() throws Exception {
      RecordingMetrics metricsA = new RecordingMetrics();
      Hyperion first = null;
      String channel = null;
      for (int i = 0; i < 8 && first == null; i++) {
        channel = "replay-topologies-" + i;
        first = startA(channel, metricsA);
      }
      assertThat(first).as("a channel whose stream is on another node than A's subscription").isNotNull();
      try (Hyperion a = first;
          Hyperion b = RedisTesting.start(servers(), "client_name: replay-b", "invalidation_channel: " + channel)) {
        RedisInvalidationBus busA = a.injector().getInstance(RedisInvalidationBus.class);
        BlockingQueue<String> atA = InvalidationBusTest.listen(a);
        String stream = RedisInvalidationBus.streamKey(busA.channel());
        RedisNode node = masterFor(stream);
        System.out.printf("%s: stream on %s, A subscribed on %s%n", servers().topology(), node, subscribedNode());

        b.injector().getInstance(InvalidationBus.class).publish("users", List.of("k1")).toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
        assertThat(atA.poll(5, TimeUnit.SECONDS)).isEqualTo("users/k1");
        // The position advances only after the listeners ran, so it may trail the delivery a little.
        String newest = CoherenceReplayTest.entryId(node.call("XREVRANGE", stream, "+", "-", "COUNT", "1"));
        RedisNode.await("A's position at the newest entry " + newest, Duration.ofSeconds(5),
            () -> newest.equals(busA.position()));

        // An invalidation A misses: in the stream, never published; then A's subscription drops.
        node.call("XADD", stream, "*", "m", "{\"i\":\"elsewhere\",\"c\":\"users\",\"k\":[\"missed\"]}");
        int killed = 0;
        for (RedisNode n : servers().nodes()) {
          if (n.isAlive()) {
            for (String line : n.callString("CLIENT", "LIST", "TYPE", "pubsub").split("\n")) {
              if (line.contains(" name=replay-a ")) {
                n.call("CLIENT", "KILL", "ID", line.substring(3, line.indexOf(' ')));
                killed++;
              }
            }
          }
        }
        assertThat(killed).as("A's pub/sub connections killed").isPositive();
        assertThat(atA.poll(10, TimeUnit.SECONDS)).isEqualTo("users/missed");
        assertThat(atA.poll(200, TimeUnit.MILLISECONDS)).as("replayed, not cleared").isNull();
        assertThat(metricsA.value("hyperion_redis_invalidations_replayed_total", "pubsub")).isEqualTo(1);
        // The watchdog's pings on the pub/sub connection are answered in this topology too.
        Thread.sleep(1500);
        RedisNode.await("A's bus up", Duration.ofSeconds(5),
            () -> metricsA.value("hyperion_redis_invalidation_bus_up", "pubsub") == 1);
        assertThat(metricsA.value("hyperion_redis_l1_clears_total", "pubsub", "timeout")).isZero();
      }
    }
  }

  @Nested
  class Sentinel extends Scenario {
    @RegisterExtension
    static final RedisServers redis = RedisServers.sentinel();

    @Override
    RedisServers servers() {
      return redis;
    }

    @Override
    RedisNode masterFor(String key) {
      return redis.sentinelMaster();
    }
  }

  @Nested
  class Cluster extends Scenario {
    @RegisterExtension
    static final RedisServers redis = RedisServers.cluster();

    @Override
    RedisServers servers() {
      return redis;
    }

    @Override
    RedisNode masterFor(String key) {
      return redis.clusterMasterFor(key);
    }
  }
}
