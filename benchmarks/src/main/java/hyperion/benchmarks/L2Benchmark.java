package hyperion.benchmarks;

import hyperion.redis.RedisModule;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Key;
import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Hyperion;
import hyperion.L2;
import hyperion.config.Config;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * L2 suite: get, getAll(100) and put through the {@link Cache} port (Redis adapter, Jackson codec)
 * next to Lettuce's synchronous API plus Jackson used directly, against a loopback {@code
 * redis-server} (the runner's, or one this state starts when none is given).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class L2Benchmark {

  static final int KEYS = 1024;
  static final Duration TTL = Duration.ofMinutes(30);

  /** The cached value: a small record, JSON of about 60 bytes. */
  public record User(String id, String name, int age) {}

  /** Both clients, with the same entries stored under different prefixes. */
  @State(Scope.Benchmark)
  public static class Shared {
    RedisServer ownServer;
    Hyperion app;
    Cache port;
    RedisClient client;
    StatefulRedisConnection<String, String> connection;
    RedisCommands<String, String> redis;
    final ObjectMapper mapper = new ObjectMapper();
    final String[] keys = new String[KEYS];
    final String[] nativeKeys = new String[KEYS];
    final List<List<String>> batches = new ArrayList<>();
    final List<String[]> nativeBatches = new ArrayList<>();
    final User value = new User("user:1", "Ada Lovelace", 36);

    @Setup
    public void setUp() throws Exception {
      String configured = System.getProperty(RedisServer.PORT_PROPERTY);
      int redisPort;
      if (configured == null) {
        ownServer = RedisServer.start();
        redisPort = ownServer.port();
      } else {
        redisPort = Integer.parseInt(configured);
      }
      String yaml = """
          service:
            name: bench
          redis:
            addresses: ["127.0.0.1:%d"]
            key_prefix: "port:"
          cache:
            users:
              default_ttl: 30m
              ttl_jitter: 0.0
          """.formatted(redisPort);
      // Started, not just injected: the adapter connects in its lifecycle component.
      app = Hyperion.start(Config.fromYaml(yaml), new RedisModule());
      port = app.injector().getInstance(Key.get(CacheManager.class, L2.class)).cache("users");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      do {
        port.put("probe", value, TTL);
        if (port.get("probe", User.class).isPresent()) {
          break;
        }
        Thread.sleep(20);
      } while (System.nanoTime() < deadline);
      client = RedisClient.create(RedisURI.create("127.0.0.1", redisPort));
      connection = client.connect();
      redis = connection.sync();
      for (int i = 0; i < KEYS; i++) {
        keys[i] = "user:" + i;
        nativeKeys[i] = "native:users:user:" + i;
        User u = new User(keys[i], "name " + i, i % 90);
        port.put(keys[i], u, TTL);
        redis.set(nativeKeys[i], mapper.writeValueAsString(u), SetArgs.Builder.px(TTL.toMillis()));
      }
      for (int b = 0; b < KEYS / 100; b++) {
        List<String> batch = new ArrayList<>(100);
        String[] nativeBatch = new String[100];
        for (int j = 0; j < 100; j++) {
          batch.add(keys[b * 100 + j]);
          nativeBatch[j] = nativeKeys[b * 100 + j];
        }
        batches.add(batch);
        nativeBatches.add(nativeBatch);
      }
      if (port.get(keys[3], User.class).isEmpty()) {
        throw new IllegalStateException("the Redis adapter does not read back what it wrote");
      }
    }

    @TearDown
    public void tearDown() {
      app.close();
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      if (ownServer != null) {
        ownServer.close();
      }
    }
  }

  /** Each thread walks the keys round-robin. */
  @State(Scope.Thread)
  public static class Cursor {
    int i;
    int b;
  }

  @Benchmark
  public Object baseline(Shared s, Cursor c) {
    return s.keys[(c.i++) & (KEYS - 1)];
  }

  @Benchmark
  public Object portGet(Shared s, Cursor c) {
    return s.port.get(s.keys[(c.i++) & (KEYS - 1)], User.class);
  }

  @Benchmark
  public Object nativeGet(Shared s, Cursor c) throws Exception {
    String json = s.redis.get(s.nativeKeys[(c.i++) & (KEYS - 1)]);
    return json == null ? null : s.mapper.readValue(json, User.class);
  }

  @Benchmark
  public Object portGetAll100(Shared s, Cursor c) {
    return s.port.getAll(s.batches.get((c.b++) % s.batches.size()), User.class);
  }

  @Benchmark
  public Object nativeGetAll100(Shared s, Cursor c) throws Exception {
    String[] batch = s.nativeBatches.get((c.b++) % s.nativeBatches.size());
    Map<String, User> out = new HashMap<>(128);
    for (KeyValue<String, String> kv : s.redis.mget(batch)) {
      if (kv.hasValue()) {
        out.put(kv.getKey(), s.mapper.readValue(kv.getValue(), User.class));
      }
    }
    return out;
  }

  @Benchmark
  public void portPut(Shared s, Cursor c) {
    s.port.put(s.keys[(c.i++) & (KEYS - 1)], s.value, TTL);
  }

  @Benchmark
  public Object nativePut(Shared s, Cursor c) throws Exception {
    return s.redis.set(s.nativeKeys[(c.i++) & (KEYS - 1)], s.mapper.writeValueAsString(s.value),
        SetArgs.Builder.px(TTL.toMillis()));
  }
}
