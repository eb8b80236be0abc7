package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.RecordingMetrics;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code redis.coherence: tracking} against one standalone server: two instances (Caffeine L1 +
 * Redis), writes by the real {@code redis-cli}, FLUSHALL, whole-cache clears and a server restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrackingTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();
  static final RecordingMetrics metricsA = new RecordingMetrics();
  static final RecordingMetrics metricsB = new RecordingMetrics();
  static Hyperion a;
  static Hyperion b;

  @BeforeAll
  static void start() {
    a = TrackingTesting.start(redis, metricsA);
    b = TrackingTesting.start(redis, metricsB);
  }

  @AfterAll
  static void stop() {
    a.close();
    b.close();
  }

  static RedisNode server() {
    return redis.nodes().get(0);
  }

  @Test
  @Order(1)
  void aPlainRedisCliSetEvictsTheL1Copy() throws Exception {
    assertThat(TrackingTesting.bus(a).isUp()).isTrue();
    assertThat(metricsA.value("hyperion_redis_invalidation_bus_up", "tracking")).isEqualTo(1);
    assertThat(server().callString("CLIENT", "LIST")).contains("flags=t"); // BCAST tracking clients
    assertThat(a.injector().getInstance(RedisHealthCheck.class).check().message()).endsWith("; invalidation bus (tracking) up, 1 of 1 master tracked");
    for (int round = 0; round < 5; round++) {
      TrackingTesting.outsideSetEvicts("standalone", a, metricsA, "users", "u" + round, server());
    }
    assertThat(metricsA.value("hyperion_redis_invalidations_received_total", "tracking")).isPositive();
    assertThat(metricsA.value("hyperion_redis_invalidations_applied_total", "tracking")).isPositive();
  }

  @Test
  @Order(2)
  void anotherInstancesWritesDeletesAndClearsReachL1() throws Exception {
    Cache usersA = TrackingTesting.cache(a, "users");
    Cache usersB = TrackingTesting.cache(b, "users");
    Cache ordersA = TrackingTesting.cache(a, "orders");
    TrackingTesting.putIntoL1(usersA, metricsA, "users", "w", "old");
    usersB.put("w", "from-b");
    RedisNode.await("B's write to reach A's L1", TrackingTesting.EVICTION_BOUND,
        () -> usersA.get("w", String.class).filter("from-b"::equals).isPresent());
    TrackingTesting.putIntoL1(usersA, metricsA, "users", "w", "again");
    usersB.delete("w");
    RedisNode.await("B's delete to reach A's L1", TrackingTesting.EVICTION_BOUND,
        () -> usersA.get("w", String.class).isEmpty());

    // A whole-cache clear by B: A drops every L1 copy of that cache (the marker key), not of others.
    TrackingTesting.putIntoL1(usersA, metricsA, "users", "c1", "x");
    TrackingTesting.putIntoL1(ordersA, metricsA, "orders", "o1", "y");
    assertThat(server().call("EXISTS", RedisTesting.redisKey("users", "c1"))).isEqualTo(1L);
    usersB.clear();
    RedisNode.await("B's clear to reach A's L1", TrackingTesting.EVICTION_BOUND,
        () -> usersA.get("c1", String.class).isEmpty());
    double hits = TrackingTesting.l1Hits(metricsA, "orders");
    assertThat(ordersA.get("o1", String.class)).contains("y");
    assertThat(TrackingTesting.l1Hits(metricsA, "orders")).as("orders untouched").isEqualTo(hits + 1);
    assertThat(server().call("EXISTS", "hyperion-test::clear:users")).as("no marker left behind").isEqualTo(0L);
  }

  @Test
  @Order(3)
  void keysOfOtherServicesAndLeasesDoNotEvict() throws Exception {
    Cache users = TrackingTesting.cache(a, "users");
    TrackingTesting.putIntoL1(users, metricsA, "users", "k", "mine");
    TrackingTesting.redisCli(server(), "SET", "other-service:users:k", "\"theirs\"");
    TrackingTesting.redisCli(server(), "SET", "hyperion-test::lease:users:k", "token", "PX", "1000");
    Thread.sleep(100);
    double hits = TrackingTesting.l1Hits(metricsA, "users");
    assertThat(users.get("k", String.class)).contains("mine");
    assertThat(TrackingTesting.l1Hits(metricsA, "users")).isEqualTo(hits + 1);
  }

  @Test
  @Order(4)
  void flushAllDropsEveryL1Copy() throws Exception {
    Cache users = TrackingTesting.cache(a, "users");
    Cache orders = TrackingTesting.cache(a, "orders");
    TrackingTesting.putIntoL1(users, metricsA, "users", "f1", "x");
    TrackingTesting.putIntoL1(orders, metricsA, "orders", "f2", "y");
    TrackingTesting.redisCli(server(), "FLUSHALL");
    RedisNode.await("FLUSHALL to empty A's L1", TrackingTesting.EVICTION_BOUND,
        () -> users.get("f1", String.class).isEmpty() && orders.get("f2", String.class).isEmpty());
    assertThat(metricsA.value("hyperion_redis_l1_clears_total", "tracking", "flush")).isEqualTo(1);
  }

  @Test
  @Order(5)
  void aRestartedServerGetsTrackingBackAndL1IsClearedOnce() throws Exception {
    Cache users = TrackingTesting.cache(a, "users");
    TrackingTesting.putIntoL1(users, metricsA, "users", "r", "before");
    double clears = TrackingTesting.clears(metricsA, "reconnect");
    assertThat(TrackingTesting.bus(a).pingAll().toCompletableFuture().get(2, TimeUnit.SECONDS)).isTrue();
    server().kill();
    RedisNode.await("tracking to be reported down", Duration.ofSeconds(2), () -> !TrackingTesting.bus(a).isUp());
    assertThat(metricsA.value("hyperion_redis_invalidation_bus_up", "tracking")).isZero();
    assertThat(TrackingTesting.bus(a).pingAll().toCompletableFuture().get(2, TimeUnit.SECONDS)).isFalse();
    assertThat(a.injector().getInstance(RedisHealthCheck.class).check().message())
        .endsWith("; invalidation bus (tracking) down, 0 of 1 master tracked");
    server().start(); // empty: the L1 copy "before" would now be stale
    TrackingTesting.awaitTracking(a, Duration.ofSeconds(5));
    assertThat(TrackingTesting.clears(metricsA, "reconnect")).isEqualTo(clears + 1);
    assertThat(metricsA.value("hyperion_redis_invalidation_bus_up", "tracking")).isEqualTo(1);
    assertThat(TrackingTesting.bus(a).pingAll().toCompletableFuture().get(2, TimeUnit.SECONDS)).isTrue();
    // L1 was cleared: "before" is gone (the restarted server is empty).
    assertThat(users.get("r", String.class)).isEmpty();
    TrackingTesting.awaitTracking(b, Duration.ofSeconds(5));
    RedisNode.await("the command connection to be back", Duration.ofSeconds(5), () -> {
      users.put("probe", "p");
      return RedisTesting.inL2(a, "users", "probe");
    });
    TrackingTesting.outsideSetEvicts("standalone after restart", a, metricsA, "users", "r", server());
  }
}
