package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.redis.RedisInvalidationBus.StreamId;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.RecordingMetrics;
import hyperion.testkit.TcpProxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Near-cache coherence in {@code pubsub} mode across bus outages: instance A (Caffeine L1 + Redis)
 * reaches Redis through a {@link TcpProxy}, instance B directly, both in this JVM. A's connections
 * are dropped (closed) or black-holed (kept open, nothing forwarded, like a partition) while B
 * writes; then A must replay what it missed and keep the rest of its L1, clear L1 when the stream
 * cannot cover the gap or is off, and stop trusting L1 within {@code coherence_timeout} of a silent
 * cut.
 */
class CoherenceReplayTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();

  static final AtomicInteger SERVICES = new AtomicInteger();
  static final String RECEIVED = "hyperion_redis_invalidations_received_total";
  static final String REPLAYED = "hyperion_redis_invalidations_replayed_total";
  static final String APPLIED = "hyperion_redis_invalidations_applied_total";
  static final String CLEARS = "hyperion_redis_l1_clears_total";
  static final String UP = "hyperion_redis_invalidation_bus_up";
  static final String LAG = "hyperion_redis_invalidation_lag_seconds";

  /** Instance A (through the proxy, with recorded metrics) and instance B of one service. */
  record Pair(String service, Hyperion a, Hyperion b, TcpProxy proxy, RecordingMetrics am) implements AutoCloseable {
    Cache cacheA() {
      return a.injector().getInstance(CacheManager.class).cache("users");
    }

    Cache cacheB() {
      return b.injector().getInstance(CacheManager.class).cache("users");
    }

    String stream() {
      return service + ":invalidations:stream";
    }

    double l1Hits() {
      return am.value("hyperion_cache_requests_total", "users", "l1", "hit");
    }

    double clears(String reason) {
      return am.value(CLEARS, "pubsub", reason);
    }

    void awaitUp(boolean up) {
      RedisNode.await("A's bus up=" + up, Duration.ofSeconds(10), () -> am.value(UP, "pubsub") == (up ? 1 : 0));
    }

    @Override
    public void close() throws Exception {
      a.close();
      b.close();
      proxy.close();
    }
  }

  static Pair pair(String name, String... redisKeys) throws Exception {
    String service = "replay-" + name + "-" + SERVICES.incrementAndGet();
    RedisNode node = redis.nodes().get(0);
    TcpProxy proxy = TcpProxy.to("127.0.0.1", node.port());
    RecordingMetrics am = new RecordingMetrics();
    Hyperion a = instance(service, "127.0.0.1:" + proxy.port(), am, redisKeys);
    Hyperion b = instance(service, node.address(), null, redisKeys);
    Pair p = new Pair(service, a, b, proxy, am);
    p.awaitUp(true);
    return p;
  }

  static Hyperion instance(String service, String address, RecordingMetrics metrics, String... redisKeys) {
    StringBuilder yaml = new StringBuilder("service:\n  name: ").append(service).append("\nredis:\n  addresses: [\"")
        .append(address).append("\"]\n  command_timeout: 300ms\n  connect_timeout: 1s\n  reconnect_delay_max: 200ms\n");
    for (String k : redisKeys) {
      yaml.append("  ").append(k).append('\n');
    }
    yaml.append("cache:\n  default:\n    l2_timeout: 300ms\n    breaker_failures: 1000000\n");
    return RedisTesting.start(yaml.toString(), metrics, new CaffeineModule());
  }

  /** B writes {@code k0..k9 = v1}; A has received those invalidations and then read every key into L1. */
  static void warm(Pair p) {
    double before = p.am.value(RECEIVED, "pubsub");
    for (int i = 0; i < 10; i++) {
      p.cacheB().put("k" + i, "v1");
    }
    RedisNode.await("A to receive B's 10 invalidations", Duration.ofSeconds(5),
        () -> p.am.value(RECEIVED, "pubsub") >= before + 10);
    for (int i = 0; i < 10; i++) {
      assertThat(p.cacheA().get("k" + i, String.class)).contains("v1");
    }
  }

  static long streamLength(Pair p) {
    return (Long) redis.nodes().get(0).call("XLEN", p.stream());
  }

  /** Clears so far by reason (a start-up hiccup may have cleared once before a test begins). */
  static double[] clears(Pair p) {
    return CoherenceMetrics.PUBSUB_CLEAR_REASONS.stream().mapToDouble(p::clears).toArray();
  }

  static void assertNoClearSince(Pair p, double[] before) {
    for (int i = 0; i < before.length; i++) {
      String reason = CoherenceMetrics.PUBSUB_CLEAR_REASONS.get(i);
      assertThat(p.clears(reason)).as("clears{reason=%s}", reason).isEqualTo(before[i]);
    }
  }

  @Test
  void aReconnectReplaysWhatItMissedAndKeepsItsOtherL1Entries() throws Exception {
    try (Pair p = pair("replay")) {
      warm(p);
      double[] clearsBefore = clears(p);
      assertThat(p.am.count(LAG, "pubsub")).isGreaterThanOrEqualTo(10);
      p.proxy.drop();
      p.awaitUp(false); // A saw the disconnect
      long before = streamLength(p);
      for (int i = 0; i < 3; i++) {
        p.cacheB().put("k" + i, "v2");
      }
      RedisNode.await("B's 3 invalidations in the stream", Duration.ofSeconds(5),
          () -> streamLength(p) == before + 3);
      assertThat(p.am.value(RECEIVED, "pubsub")).isEqualTo(10); // A missed them live
      p.proxy.heal();
      RedisNode.await("A to replay 3", Duration.ofSeconds(10), () -> p.am.value(REPLAYED, "pubsub") == 3);
      p.awaitUp(true);

      double hits = p.l1Hits();
      for (int i = 3; i < 10; i++) {
        assertThat(p.cacheA().get("k" + i, String.class)).contains("v1");
      }
      assertThat(p.l1Hits() - hits).as("untouched keys stayed in A's L1").isEqualTo(7);
      for (int i = 0; i < 3; i++) {
        assertThat(p.cacheA().get("k" + i, String.class)).contains("v2");
      }
      assertThat(p.am.value(APPLIED, "pubsub")).isGreaterThanOrEqualTo(13);
      assertNoClearSince(p, clearsBefore);
      // The position advances only after the listeners ran, so it may trail the delivery a little.
      String last = lastId(p.stream());
      RedisInvalidationBus bus = p.a.injector().getInstance(RedisInvalidationBus.class);
      RedisNode.await("A's position at the last entry " + last, Duration.ofSeconds(5),
          () -> last.equals(bus.position()));
    }
  }

  @Test
  void aGapLargerThanTheStreamClearsL1AndIsCounted() throws Exception {
    try (Pair p = pair("gap", "invalidation_stream_length: 10")) {
      warm(p);
      StreamId position = StreamId.parse(p.a.injector().getInstance(RedisInvalidationBus.class).position());
      p.proxy.drop();
      p.awaitUp(false);
      // Far more than the stream keeps (whole nodes of 100 entries are trimmed): A's position goes.
      for (int i = 0; i < 400; i++) {
        p.cacheB().put("x" + i, "x");
      }
      RedisNode.await("the stream trimmed past A's position", Duration.ofSeconds(10),
          () -> StreamId.parse(firstId(p.stream())).compareTo(position) > 0);
      double gapsBefore = p.clears("stream_gap");
      p.proxy.heal();
      RedisNode.await("A to clear L1", Duration.ofSeconds(10), () -> p.clears("stream_gap") == gapsBefore + 1);
      p.awaitUp(true);
      assertThat(p.am.value(REPLAYED, "pubsub")).isZero();
      double hits = p.l1Hits();
      assertThat(p.cacheA().get("k5", String.class)).contains("v1"); // from L2
      assertThat(p.l1Hits()).as("L1 was cleared").isEqualTo(hits);
      // A took a new position and replays from it next time.
      assertThat(StreamId.parse(p.a.injector().getInstance(RedisInvalidationBus.class).position()))
          .isGreaterThan(position);
    }
  }

  @Test
  void withoutAStreamEveryReconnectClearsL1() throws Exception {
    try (Pair p = pair("nostream", "invalidation_stream_length: 0")) {
      warm(p);
      p.proxy.drop();
      p.awaitUp(false);
      p.cacheB().put("k1", "v2");
      p.proxy.heal();
      RedisNode.await("A to clear L1", Duration.ofSeconds(10), () -> p.clears("no_stream") >= 1);
      p.awaitUp(true);
      double hits = p.l1Hits();
      assertThat(p.cacheA().get("k1", String.class)).contains("v2");
      assertThat(p.cacheA().get("k5", String.class)).contains("v1");
      assertThat(p.l1Hits()).isEqualTo(hits);
      assertThat(redis.nodes().get(0).call("EXISTS", p.stream())).isEqualTo(0L);
      assertThat(p.am.value(REPLAYED, "pubsub")).isZero();
    }
  }

  @Test
  void aSilentlyCutLinkStopsL1WithinTheCoherenceTimeoutAndRecovers() throws Exception {
    Duration timeout = Duration.ofSeconds(1);
    try (Pair p = pair("watchdog", "coherence_timeout: " + timeout.toMillis() + "ms")) {
      warm(p);
      assertThat(p.cacheA().get("k1", String.class)).contains("v1");
      long cut = System.nanoTime();
      p.proxy.blackhole(); // connections stay open, nothing gets through: TCP notices nothing
      p.cacheB().put("k1", "v2");
      long acked = System.nanoTime();
      Optional<String> read;
      long lastOld = acked; // when A last returned v1
      while ((read = p.cacheA().get("k1", String.class)).equals(Optional.of("v1"))) {
        lastOld = System.nanoTime();
        assertThat(Duration.ofNanos(lastOld - acked)).as("A still serving v1").isLessThan(timeout.multipliedBy(3));
        Thread.sleep(5);
      }
      Duration stale = Duration.ofNanos(lastOld - acked);
      Duration sinceCut = Duration.ofNanos(lastOld - cut);
      System.out.printf("watchdog: A returned the old value until %d ms after B's write (%d ms after the cut)%n",
          stale.toMillis(), sinceCut.toMillis());
      // The last ping answered was sent before the cut; its deadline is timeout later (plus the time the
      // watchdog's thread takes to wake up and clear L1 on a busy machine).
      assertThat(sinceCut).isLessThan(timeout.plusMillis(300)).isGreaterThan(timeout.minusMillis(400));
      assertThat(read).isEmpty(); // L1 bypassed, L2 unreachable: a miss, never the old value
      assertThat(p.clears("timeout")).isEqualTo(1);
      assertThat(p.am.value(UP, "pubsub")).isZero();

      p.proxy.heal();
      p.awaitUp(true);
      assertThat(p.cacheA().get("k1", String.class)).contains("v2");
      double hits = p.l1Hits();
      assertThat(p.cacheA().get("k1", String.class)).contains("v2");
      assertThat(p.l1Hits()).as("L1 trusted and filled again").isEqualTo(hits + 1);
      assertThat(p.clears("timeout")).isEqualTo(1);
    }
  }

  /**
   * B writes while A is cut off; then Redis holds writes ({@code CLIENT PAUSE WRITE}, which also holds
   * the replay script) while A reconnects, so A's first replay reads fail.
   */
  static void missThreeThenReconnectUnderPause(Pair p, Duration pause) throws Exception {
    warm(p);
    p.proxy.drop();
    p.awaitUp(false);
    long before = streamLength(p);
    for (int i = 0; i < 3; i++) {
      p.cacheB().put("k" + i, "v2");
    }
    RedisNode.await("B's 3 invalidations in the stream", Duration.ofSeconds(5), () -> streamLength(p) == before + 3);
    redis.nodes().get(0).call("CLIENT", "PAUSE", Long.toString(pause.toMillis()), "WRITE");
    p.proxy.heal();
  }

  @Test
  void aReplayThatCannotReadTheStreamYetIsRetriedWithinTheTimeout() throws Exception {
    try (Pair p = pair("retry")) { // coherence_timeout 3s, command_timeout 300ms
      double[] clearsBefore = clears(p);
      missThreeThenReconnectUnderPause(p, Duration.ofMillis(1200));
      RedisNode.await("A to replay 3", Duration.ofSeconds(10), () -> p.am.value(REPLAYED, "pubsub") == 3);
      p.awaitUp(true);
      assertNoClearSince(p, clearsBefore);
      double hits = p.l1Hits();
      assertThat(p.cacheA().get("k5", String.class)).contains("v1");
      assertThat(p.l1Hits()).isEqualTo(hits + 1);
      assertThat(p.cacheA().get("k1", String.class)).contains("v2");
    }
  }

  @Test
  void aReplayThatKeepsFailingClearsL1AfterTheTimeout() throws Exception {
    try (Pair p = pair("replayfail", "coherence_timeout: 1s")) {
      missThreeThenReconnectUnderPause(p, Duration.ofMillis(2500));
      RedisNode.await("A to clear L1", Duration.ofSeconds(10), () -> p.clears("replay_failed") >= 1);
      p.awaitUp(true);
      assertThat(p.am.value(REPLAYED, "pubsub")).isZero();
      // A's reads queue behind its held scripts on the one command connection until the pause ends.
      RedisNode.await("A's L2 reads", Duration.ofSeconds(5),
          () -> p.cacheA().get("k1", String.class).equals(Optional.of("v2")));
      double hits = p.l1Hits();
      assertThat(p.cacheA().get("k5", String.class)).contains("v1");
      assertThat(p.l1Hits()).as("L1 was cleared").isEqualTo(hits);
    }
  }

  @Test
  void healthTellsTheBusState() throws Exception {
    try (Pair p = pair("health")) {
      RedisNode.await("B's bus up", Duration.ofSeconds(10),
          () -> p.b.injector().getInstance(CoherenceMetrics.class).isUp());
      assertThat(p.b.injector().getInstance(RedisHealthCheck.class).check().message())
          .endsWith("; invalidation bus (pubsub) up");
    }
  }

  static String firstId(String stream) {
    return entryId(redis.nodes().get(0).call("XRANGE", stream, "-", "+", "COUNT", "1"));
  }

  static String lastId(String stream) {
    return entryId(redis.nodes().get(0).call("XREVRANGE", stream, "+", "-", "COUNT", "1"));
  }

  static String entryId(Object reply) {
    Object entry = ((List<?>) reply).get(0);
    Object id = ((List<?>) entry).get(0);
    return id instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(id);
  }
}
