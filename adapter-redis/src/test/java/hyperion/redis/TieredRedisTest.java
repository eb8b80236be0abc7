package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two service instances (two injectors with HyperionModule + CaffeineModule + RedisModule) sharing
 * one Redis: coherence through the invalidation bus, and behaviour while Redis is killed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TieredRedisTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();
  /** How long another instance may serve its stale L1 copy after a write: the bus delay. */
  static final Duration BUS_BOUND = Duration.ofMillis(500);
  static final Duration L2_TIMEOUT = Duration.ofMillis(200);
  static Hyperion a;
  static Hyperion b;

  @BeforeAll
  static void start() {
    String yaml = RedisTesting.yaml(redis, "command_timeout: 150ms") + "cache:\n  default:\n    l2_timeout: "
        + L2_TIMEOUT.toMillis() + "ms\n    breaker_failures: 3\n    breaker_cooldown: 200ms\n";
    a = RedisTesting.start(yaml, null, new CaffeineModule());
    b = RedisTesting.start(yaml, null, new CaffeineModule());
  }

  @AfterAll
  static void stop() {
    a.close();
    b.close();
  }

  static Cache users(Hyperion app) {
    return app.injector().getInstance(CacheManager.class).cache("users");
  }

  record User(String id, String name) {}

  @Test
  @Order(1)
  void aWriteThroughOneInstanceIsSeenByTheOtherWithinTheBusBound() throws Exception {
    users(a).put("u1", new User("u1", "Ada"));
    assertThat(users(b).get("u1", User.class)).contains(new User("u1", "Ada")); // now in B's L1 too
    for (int round = 0; round < 5; round++) {
      User next = new User("u1", "Ada-" + round);
      users(a).put("u1", next);
      long t0 = System.nanoTime();
      while (!users(b).get("u1", User.class).map(next::equals).orElse(false)) {
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("stale L1 in B").isLessThan(BUS_BOUND);
        Thread.sleep(2);
      }
    }
    users(a).delete("u1");
    RedisNode.await("delete to reach B", BUS_BOUND, () -> users(b).get("u1", User.class).isEmpty());
  }

  @Test
  @Order(2)
  void redisKilledDuringAStreamOfLoadsServesTheLoaderThenRecovers() throws Exception {
    Cache cache = users(a);
    cache.put("before", new User("before", "old")); // in A's L1 and in L2
    RedisNode server = redis.nodes().get(0);
    server.kill();

    long heapBefore = usedHeapAfterGc();
    AtomicInteger loads = new AtomicInteger();
    long worst = 0;
    int calls = 3000;
    for (int i = 0; i < calls; i++) {
      String key = "k" + i; // distinct keys: each call must reach the loader
      long t0 = System.nanoTime();
      User u = cache.getOrLoad(key, User.class, null, k -> {
        loads.incrementAndGet();
        return new User(k, "loaded");
      });
      worst = Math.max(worst, System.nanoTime() - t0);
      assertThat(u).isEqualTo(new User(key, "loaded"));
    }
    long heapAfter = usedHeapAfterGc();
    assertThat(loads).hasValue(calls);
    // Nobody waits longer than the L2 timeout (plus scheduling slack on a busy machine).
    assertThat(Duration.ofNanos(worst)).isLessThan(L2_TIMEOUT.plusMillis(300));
    // Nothing is buffered for the dead server: 3000 writes do not pile up (L1 holds 3000 small
    // entries, well under this bound).
    assertThat(heapAfter - heapBefore).as("heap growth in bytes").isLessThan(24L << 20);

    server.start(); // comes back empty
    RedisNode.await("L2 to answer again", Duration.ofSeconds(15), () -> {
      cache.put("probe", new User("probe", "p"));
      return RedisTesting.inL2(a, "users", "probe");
    });
    // The bus reconnected, so A cleared its L1: the pre-outage entry is gone (Redis restarted empty).
    RedisNode.await("L1 to be cleared after the bus reconnected", Duration.ofSeconds(10),
        () -> cache.get("before", User.class).isEmpty());
    // B reconnects on its own schedule (Lettuce's back-off); until then its reads are misses.
    RedisNode.await("B's L2 to answer again", Duration.ofSeconds(15),
        () -> RedisTesting.inL2(b, "users", "probe"));
    // L2 hits resume: a value loaded through A is served to B from Redis.
    cache.getOrLoad("after", User.class, null, k -> new User(k, "fresh"));
    // The write-back of a load is not waited for: let it land before B reads.
    RedisNode.await("A's write-back in L2", Duration.ofSeconds(5), () -> RedisTesting.inL2(a, "users", "after"));
    AtomicInteger bLoads = new AtomicInteger();
    assertThat(users(b).getOrLoad("after", User.class, null, k -> {
      bLoads.incrementAndGet();
      return new User(k, "other");
    })).isEqualTo(new User("after", "fresh"));
    assertThat(bLoads).hasValue(0);
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
