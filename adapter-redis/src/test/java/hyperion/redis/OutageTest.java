package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.testkit.RecordingMetrics;
import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.cache.InvalidationBus;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The L2 cache and the bus while the server is killed and restarted: degrade, never throw, recover. */
class OutageTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();
  static final RecordingMetrics metrics = new RecordingMetrics();
  static final Duration COMMAND_TIMEOUT = Duration.ofMillis(300);
  static Hyperion app;

  @BeforeAll
  static void start() {
    app = RedisTesting.start(RedisTesting.yaml(redis, "command_timeout: 300ms"), metrics);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void aServiceStartsWhileRedisIsDownAndConnectsLater() throws Exception {
    RedisNode server = redis.nodes().get(0);
    server.kill();
    try (Hyperion late = RedisTesting.start(RedisTesting.yaml(redis), null)) {
      CountDownLatch reconnected = new CountDownLatch(1);
      late.injector().getInstance(InvalidationBus.class).subscribe(new InvalidationBus.Listener() {
        @Override public void invalidate(String c, String k) {}
        @Override public void reconnected() {
          reconnected.countDown();
        }
      });
      Cache cache = RedisTesting.l2(late).cache("late");
      assertThat(cache.getOrLoad("k", String.class, null, k -> "loaded")).isEqualTo("loaded");
      assertThat(late.injector().getInstance(RedisHealthCheck.class).check().healthy()).isFalse();
      server.start();
      RedisNode.await("the late connection", Duration.ofSeconds(10),
          () -> late.injector().getInstance(RedisHealthCheck.class).check().healthy());
      // It ran without the bus, so invalidations may have been missed: listeners must drop L1.
      assertThat(reconnected.await(10, TimeUnit.SECONDS)).isTrue();
      cache.put("k", "stored");
      assertThat(cache.get("k", String.class)).contains("stored");
    } finally {
      if (!server.isAlive()) {
        server.start();
      }
    }
  }

  @Test
  void killedServerMeansMissesWithinTheTimeoutThenHitsAfterRestart() throws Exception {
    Cache cache = RedisTesting.l2(app).cache("outage");
    RedisHealthCheck health = app.injector().getInstance(RedisHealthCheck.class);
    CountDownLatch reconnected = new CountDownLatch(1);
    app.injector().getInstance(InvalidationBus.class).subscribe(new InvalidationBus.Listener() {
      @Override public void invalidate(String c, String k) {}
      @Override public void reconnected() {
        reconnected.countDown();
      }
    });
    cache.put("warm", "v");
    assertThat(cache.get("warm", String.class)).contains("v");

    RedisNode server = redis.nodes().get(0);
    server.kill();
    AtomicInteger loads = new AtomicInteger();
    long worstNanos = 0;
    for (int i = 0; i < 300; i++) {
      long t0 = System.nanoTime();
      String v = cache.getOrLoad("k" + (i % 10), String.class, null, k -> "loaded-" + loads.incrementAndGet());
      worstNanos = Math.max(worstNanos, System.nanoTime() - t0);
      assertThat(v).startsWith("loaded-");
      cache.put("p" + i, "x"); // dropped, never thrown
      assertThat(cache.exists("warm")).isFalse();
    }
    assertThat(loads).hasValue(300); // L2 is gone: every call ran the loader
    // Commands are rejected at once while disconnected, never queued until the timeout.
    assertThat(Duration.ofNanos(worstNanos)).isLessThan(COMMAND_TIMEOUT.plusMillis(200));
    assertThat(metrics.value("hyperion_redis_errors_total", "disconnected")
        + metrics.value("hyperion_redis_errors_total", "connection")).isPositive();
    assertThat(metrics.value("hyperion_redis_connected")).isZero();
    assertThat(health.check().healthy()).isFalse();
    // The tier saw the failures: counted as L2 errors, and the breaker opened after 5 of them.
    assertThat(metrics.value("hyperion_cache_requests_total", "outage", "l2", "error")).isGreaterThanOrEqualTo(300);
    assertThat(metrics.value("hyperion_cache_breaker_open", "outage")).isEqualTo(1);

    server.start(); // empty: the server saves nothing
    long restarted = System.nanoTime();
    RedisNode.await("health", Duration.ofSeconds(10), () -> health.check().healthy());
    assertThat(reconnected.await(10, TimeUnit.SECONDS)).as("bus signalled reconnected").isTrue();
    System.out.println("reconnected after " + Duration.ofNanos(System.nanoTime() - restarted).toMillis() + " ms");
    // The breaker opened during the outage; it lets L2 calls through again after its cool-down.
    RedisTesting.awaitWriteAndRead(cache, "probe");
    assertThat(cache.getOrLoad("k1", String.class, null, k -> "fresh")).isEqualTo("fresh");
    assertThat(cache.getOrLoad("k1", String.class, null, k -> "not used")).isEqualTo("fresh");
    assertThat(metrics.value("hyperion_redis_connected")).isEqualTo(1.0);
  }
}
