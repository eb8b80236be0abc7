package hyperion.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.google.inject.Module;
import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.config.Config;
import hyperion.otel.OtelModule;
import hyperion.prometheus.PrometheusModule;
import hyperion.redis.RedisModule;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * L2 suite: reads and writes that reach Redis, through {@code Context.cache(name)} and through
 * Lettuce's synchronous API plus a prepared Jackson reader, against a loopback {@code redis-server}
 * (the runner's, or one this state starts). The port's cache is configured with {@code layers: l2},
 * so every read is an L2 read (the case of a key that is in Redis but not in this instance's L1).
 * Both sides store the same small records; the port's entries carry the 26-byte header.
 *
 * <p>{@code tracing=none}: the Prometheus adapter only. {@code tracing=otel}: also the OpenTelemetry
 * adapter, sampling every span (exporter {@code none}), so the score includes the L2 client span.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class L2Benchmark {

  static final int KEYS = 1024;
  static final Duration TTL = Duration.ofMinutes(30);

  /** The cached value: a small record, JSON of about 50 bytes. */
  public record User(String id, String name, int age) {}

  /** Both clients, with the same entries stored under different prefixes. */
  @State(Scope.Benchmark)
  public static class Clients {
    @Param({"none", "otel"})
    public String tracing;

    RedisServer ownServer;
    Hyperion app;
    Cache port;
    RedisClient client;
    StatefulRedisConnection<String, byte[]> connection;
    RedisCommands<String, byte[]> redis;
    final ObjectMapper mapper = new ObjectMapper();
    final ObjectReader reader = mapper.readerFor(User.class);
    final ObjectWriter writer = mapper.writerFor(User.class);
    final String[] keys = new String[KEYS];
    final String[] nativeKeys = new String[KEYS];
    final List<List<String>> batches = new ArrayList<>();
    final List<String[]> nativeBatches = new ArrayList<>();
    final User value = new User("user:1", "Ada Lovelace", 36);

    @Setup
    public void setUp() throws Exception {
      ownServer = RedisServer.startUnlessHandedOver();
      int redisPort = RedisServer.portOf(ownServer);
      String yaml = """
          service:
            name: bench
          redis:
            addresses: ["127.0.0.1:%d"]
            key_prefix: "port:"
          %s
          admin:
            port: 0
          metrics:
            collect_runtime: false
            simpleclient_bridge: false
          cache:
            users:
              layers: l2
              default_ttl: 30m
              ttl_jitter: 0.0
          """.formatted(redisPort, tracing.equals("otel")
              // A tracing section without the adapter is a configuration error: only with it.
              ? "tracing:\n    exporter: none\n    sample_rate: 1.0" : "");
      List<Module> modules = new ArrayList<>(List.of(new RedisModule(), new PrometheusModule()));
      if (tracing.equals("otel")) {
        modules.add(new OtelModule());
      }
      // Started, not just injected: the adapter connects in its lifecycle component.
      app = Hyperion.start(Config.fromYaml(yaml), modules.toArray(Module[]::new));
      port = app.context().cache("users");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      do {
        port.put("probe", value, TTL);
        if (port.get("probe", User.class).isPresent()) {
          break;
        }
        Thread.sleep(20);
      } while (System.nanoTime() < deadline);
      client = RedisClient.create(RedisURI.create("127.0.0.1", redisPort));
      connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
      redis = connection.sync();
      for (int i = 0; i < KEYS; i++) {
        keys[i] = "user:" + i;
        nativeKeys[i] = "native:users:user:" + i;
        User u = new User(keys[i], "name " + i, i % 90);
        port.put(keys[i], u, TTL);
        redis.set(nativeKeys[i], writer.writeValueAsBytes(u), SetArgs.Builder.px(TTL.toMillis()));
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
        throw new IllegalStateException("the Redis layer does not read back what it wrote");
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
  public Object baseline(Clients s, Cursor c) {
    return s.keys[(c.i++) & (KEYS - 1)];
  }

  /** {@code Context.cache("users").get}: one GET, decoded through the tier. */
  @Benchmark
  public Object portGet(Clients s, Cursor c) {
    return s.port.get(s.keys[(c.i++) & (KEYS - 1)], User.class).orElse(null);
  }

  /** Lettuce sync GET of the same record's bytes + a prepared Jackson reader. */
  @Benchmark
  public Object nativeGet(Clients s, Cursor c) throws Exception {
    byte[] json = s.redis.get(s.nativeKeys[(c.i++) & (KEYS - 1)]);
    return json == null ? null : s.reader.readValue(json);
  }

  @Benchmark
  public Object portGetAll100(Clients s, Cursor c) {
    return s.port.getAll(s.batches.get((c.b++) % s.batches.size()), User.class);
  }

  @Benchmark
  public Object nativeGetAll100(Clients s, Cursor c) throws Exception {
    String[] batch = s.nativeBatches.get((c.b++) % s.nativeBatches.size());
    Map<String, User> out = new LinkedHashMap<>(256);
    for (KeyValue<String, byte[]> kv : s.redis.mget(batch)) {
      if (kv.hasValue()) {
        out.put(kv.getKey(), s.reader.readValue(kv.getValue()));
      }
    }
    return out;
  }

  @Benchmark
  public void portPut(Clients s, Cursor c) {
    s.port.put(s.keys[(c.i++) & (KEYS - 1)], s.value, TTL);
  }

  @Benchmark
  public Object nativePut(Clients s, Cursor c) throws Exception {
    return s.redis.set(s.nativeKeys[(c.i++) & (KEYS - 1)], s.writer.writeValueAsBytes(s.value),
        SetArgs.Builder.px(TTL.toMillis()));
  }
}
