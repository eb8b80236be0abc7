package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hyperion.testkit.RecordingMetrics;
import hyperion.Cache;
import hyperion.HealthCheck;
import hyperion.Hyperion;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.CacheContract.Item;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redis-specific behaviour of the L2 cache against one standalone server. */
class RedisCacheTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();
  static final RecordingMetrics metrics = new RecordingMetrics();
  static Hyperion app;
  static RedisNode server;

  @BeforeAll
  static void start() {
    app = RedisTesting.start(RedisTesting.yaml(redis, "max_value_bytes: 1000"), metrics);
    server = redis.nodes().get(0);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static Cache cache(String name) {
    return RedisTesting.l2(app).cache(name);
  }

  private static Item item(String id) {
    return new Item(id, "name-" + id, 1, List.of("t"));
  }

  @Test
  void keysArePrefixedByServiceAndCacheAndExpireWithPx() {
    long before = System.currentTimeMillis();
    cache("layout").put("k1", item("k1"), Duration.ofSeconds(10));
    byte[] stored = (byte[]) server.call("GET", "hyperion-test:layout:k1");
    // The 26-byte header: magic, kind, expires at, written at, nonce; then the codec's JSON.
    assertThat(stored[0]).isEqualTo((byte) 0xFE);
    assertThat(stored[1]).isEqualTo((byte) 1);
    long expiresAt = java.nio.ByteBuffer.wrap(stored, 2, 8).getLong();
    long writtenAt = java.nio.ByteBuffer.wrap(stored, 10, 8).getLong();
    assertThat(writtenAt).isBetween(before, System.currentTimeMillis());
    assertThat(expiresAt - writtenAt).isBetween(9_000L, 10_000L); // ttl_jitter 0.1 by default
    assertThat(new String(stored, 26, stored.length - 26, StandardCharsets.UTF_8))
        .isEqualTo("{\"id\":\"k1\",\"name\":\"name-k1\",\"quantity\":1,\"tags\":[\"t\"]}");
    // Redis counts the PX down from the SET, so the remaining time is bounded by the expiry the
    // header records as seen from now (a slow CI machine can take milliseconds between the calls).
    long pttl = (Long) server.call("PTTL", "hyperion-test:layout:k1");
    assertThat(pttl).isBetween(expiresAt - System.currentTimeMillis() - 5, expiresAt - writtenAt);
    assertThat(cache("layout").getEntry("k1", Item.class)).hasValueSatisfying(e -> {
      assertThat(e.value()).isEqualTo(item("k1"));
      assertThat(e.ttl().toMillis())
          .isBetween(expiresAt - System.currentTimeMillis() - 5, expiresAt - writtenAt);
    });
    // The default TTL (cache.default.default_ttl, 5m, less up to 10 % jitter) applies when none is given.
    cache("layout").put("k2", item("k2"));
    assertThat((Long) server.call("PTTL", "hyperion-test:layout:k2")).isBetween(269_000L, 300_000L);
  }

  static final String VALUE_ERRORS = "hyperion_cache_l2_value_errors_total";

  @Test
  void aCorruptValueIsACountedMissAndIsReplacedByTheNextLoad() throws Exception {
    Cache c = cache("corrupt");
    server.call("SET", "hyperion-test:corrupt:k", new byte[] {(byte) 0xde, (byte) 0xad, 0x00, '{'});
    double before = metrics.value(VALUE_ERRORS, "corrupt", "decode");
    assertThat(c.get("k", Item.class)).isEmpty();
    assertThat(metrics.value(VALUE_ERRORS, "corrupt", "decode")).isEqualTo(before + 1);
    assertThat(c.getOrLoad("k", Item.class, null, RedisCacheTest::item)).isEqualTo(item("k"));
    assertThat(metrics.value(VALUE_ERRORS, "corrupt", "decode")).isEqualTo(before + 2);
    // The load's write-back replaced exactly the corrupt bytes it had read.
    RedisNode.await("the write-back", Duration.ofSeconds(5), () -> c.get("k", Item.class).isPresent());
    assertThat(c.get("k", Item.class)).contains(item("k"));
    // A value of another shape is a miss as well.
    server.call("SET", "hyperion-test:corrupt:other", "{\"id\":\"x\",\"unexpected\":true}");
    assertThat(c.get("other", Item.class)).isEmpty();
    assertThat(metrics.value(VALUE_ERRORS, "corrupt", "decode")).isEqualTo(before + 3);
  }

  @Test
  void aValueWrittenByAnotherProgramWithoutHeaderIsReadAsPlainCodecBytes() {
    server.call("SET", "hyperion-test:foreign:k", "{\"id\":\"f\",\"name\":\"n\",\"quantity\":2,\"tags\":[]}");
    assertThat(cache("foreign").get("k", Item.class)).contains(new Item("f", "n", 2, List.of()));
    assertThat(cache("foreign").exists("k")).isTrue();
    assertThat(cache("foreign").getEntry("k", Item.class)).hasValueSatisfying(e -> assertThat(e.ttl()).isNull());
  }

  @Test
  void aClassNamePayloadStoredInRedisIsDecodedAsPlainData() {
    int created = JacksonCodecTest.Canary.CREATED.get();
    server.call("SET", "hyperion-test:gadgets:k", "{\"@class\":\"" + JacksonCodecTest.Canary.class.getName()
        + "\",\"x\":\"1\"}");
    server.call("SET", "hyperion-test:gadgets:k2", "[\"java.lang.ProcessBuilder\",{\"command\":[\"id\"]}]");
    assertThat(cache("gadgets").get("k", Object.class)).hasValueSatisfying(v -> assertThat(v).isInstanceOf(Map.class));
    assertThat(cache("gadgets").get("k2", Object.class)).hasValueSatisfying(v -> assertThat(v).isInstanceOf(List.class));
    assertThat(cache("gadgets").get("k", Map.class)).hasValueSatisfying(m -> assertThat(m).containsKey("@class"));
    assertThat(JacksonCodecTest.Canary.CREATED).hasValue(created);
  }

  @Test
  void oversizedValuesAreRefusedCountedAndDoNotLeaveAStaleValue() {
    Cache c = cache("big");
    c.put("k", "small");
    assertThat(c.get("k", String.class)).contains("small");
    c.put("k", "x".repeat(2000));
    assertThat(metrics.value(VALUE_ERRORS, "big", "too_large")).isEqualTo(1);
    // What remains is a tombstone: no value, and loads that began earlier cannot write theirs back.
    byte[] left = (byte[]) server.call("GET", "hyperion-test:big:k");
    assertThat(left).hasSize(26);
    assertThat(left[1]).isEqualTo((byte) 2);
    assertThat(c.get("k", String.class)).isEmpty();
    c.putAll(Map.of("a", "x".repeat(2000), "b", "fits"), null);
    assertThat(c.getAll(List.of("a", "b"), String.class)).containsOnlyKeys("b");
    assertThat(metrics.value(VALUE_ERRORS, "big", "too_large")).isEqualTo(2);
    // Refused, not failed: no write failure, and the breaker stays closed.
    assertThat(metrics.value("hyperion_cache_l2_write_failures_total", "big")).isZero();
  }

  @Test
  void clearScansOnlyThisCachesKeys() {
    cache("clr").put("a*", "1");
    cache("clr").put("b", "2");
    cache("clr2").put("a", "3");
    server.call("SET", "other-service:clr:a", "4");
    server.call("SET", "hyperion-test:clr", "5");
    cache("clr").clear();
    assertThat(cache("clr").exists("a*")).isFalse();
    assertThat(cache("clr").exists("b")).isFalse();
    assertThat(cache("clr2").get("a", String.class)).contains("3");
    assertThat(server.call("EXISTS", "other-service:clr:a", "hyperion-test:clr")).isEqualTo(2L);
  }

  @Test
  void getAllReturnsOnlyPresentKeysAndDeleteReportsWhatItRemoved() {
    Cache c = cache("multi");
    c.putAll(Map.of("a", item("a"), "b", item("b")), Duration.ofMinutes(1));
    assertThat(c.getAll(List.of("a", "b", "c", "a"), Item.class)).containsOnlyKeys("a", "b");
    assertThat(c.delete("a")).isTrue();
    assertThat(c.delete("a")).isFalse();
    assertThat(c.getAll(List.of(), Item.class)).isEmpty();
    // A delete leaves a tombstone for cache.<name>.tombstone_ttl (default 30 s).
    assertThat((Long) server.call("PTTL", "hyperion-test:multi:a")).isBetween(25_000L, 30_000L);
  }

  @Test
  void cacheNamesMayNotContainTheSeparator() {
    assertThatThrownBy(() -> RedisTesting.l2(app).cache("a:b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("':'");
    assertThat(RedisTesting.l2(app).cache("same")).isSameAs(RedisTesting.l2(app).cache("same"));
  }

  @Test
  void healthAndMetrics() throws Exception {
    HealthCheck health = app.injector().getInstance(RedisHealthCheck.class);
    HealthCheck.Result r = health.check();
    assertThat(r.healthy()).isTrue();
    assertThat(r.message()).contains("PONG").contains(server.address());
    cache("m").get("x", String.class);
    assertThat(metrics.value("hyperion_cache_requests_total", "m", "l2", "miss")).isEqualTo(1);
    assertThat((double) metrics.count("hyperion_cache_l2_duration_seconds", "m", "get")).isEqualTo(1);
    assertThat(metrics.value("hyperion_redis_connected")).isEqualTo(1.0);
    assertThat(new String(server.callString("CLIENT", "LIST").getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
        .contains("name=hyperion-test");
  }
}
