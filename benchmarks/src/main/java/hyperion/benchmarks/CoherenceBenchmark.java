package hyperion.benchmarks;

import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.config.Config;
import hyperion.prometheus.PrometheusModule;
import hyperion.redis.RedisModule;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Coherence suite: an L1 hit of a two-level cache (Caffeine + Redis) in each {@code
 * redis.coherence} mode, same service, same cache settings, same keys; only the mode differs.
 * {@code trackingL1Hit} against {@code pubsubL1Hit}: what server-assisted tracking costs a hit
 * (nothing is expected: invalidations arrive on another thread, the hit path is the same).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CoherenceBenchmark {

  static final int KEYS = 1024;

  /** The cached value: a small record. */
  public record User(String id, String name, int age) {}

  /** One started service in the given mode, its {@code users} cache holding {@value #KEYS} keys in L1. */
  abstract static class App {
    RedisServer ownServer;
    Hyperion app;
    Cache users;
    final String[] keys = new String[KEYS];

    void start(String coherence) throws Exception {
      ownServer = RedisServer.startUnlessHandedOver();
      int redisPort = RedisServer.portOf(ownServer);
      String yaml = """
          service:
            name: bench
          redis:
            addresses: ["127.0.0.1:%d"]
            key_prefix: "coherence-%s:"
            coherence: %s
          admin:
            port: 0
          metrics:
            collect_runtime: false
            simpleclient_bridge: false
          cache:
            users:
              max_entries: 10000
              default_ttl: 30m
              ttl_jitter: 0.0
          """.formatted(redisPort, coherence, coherence);
      app = Hyperion.start(Config.fromYaml(yaml), new RedisModule(), new CaffeineModule(), new PrometheusModule());
      users = app.context().cache("users");
      for (int i = 0; i < KEYS; i++) {
        keys[i] = "user:" + i;
        users.put(keys[i], new User(keys[i], "name " + i, i % 90));
      }
      // Tracking mode hears its own writes back and drops those L1 copies: let that happen, then
      // read every key so each one is in L1 again (reads invalidate nothing).
      Thread.sleep(500);
      for (int round = 0; round < 2; round++) {
        for (String k : keys) {
          if (users.get(k, User.class).isEmpty()) {
            throw new IllegalStateException("the cache does not read back " + k);
          }
        }
      }
    }

    @TearDown
    public void tearDown() {
      app.close();
      if (ownServer != null) {
        ownServer.close();
      }
    }
  }

  /** {@code redis.coherence: pubsub}. */
  @State(Scope.Benchmark)
  public static class PubsubApp extends App {
    @Setup
    public void setUp() throws Exception {
      start("pubsub");
    }
  }

  /** {@code redis.coherence: tracking}. */
  @State(Scope.Benchmark)
  public static class TrackingApp extends App {
    @Setup
    public void setUp() throws Exception {
      start("tracking");
    }
  }

  /** Each thread walks the keys from its own offset. */
  @State(Scope.Thread)
  public static class Cursor {
    int i = (int) (Thread.currentThread().getId() * 7919);
  }

  /** {@code getIfPresent} hit in L1, pub/sub mode: the denominator. */
  @Benchmark
  public Object pubsubL1Hit(PubsubApp s, Cursor c) {
    return s.users.getIfPresent(s.keys[(c.i++) & (KEYS - 1)], User.class);
  }

  /** The same hit in tracking mode. */
  @Benchmark
  public Object trackingL1Hit(TrackingApp s, Cursor c) {
    return s.users.getIfPresent(s.keys[(c.i++) & (KEYS - 1)], User.class);
  }
}
