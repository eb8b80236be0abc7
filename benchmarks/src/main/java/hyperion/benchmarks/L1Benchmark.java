package hyperion.benchmarks;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.inject.Guice;
import com.google.inject.Injector;
import hyperion.Cache;
import hyperion.Context;
import hyperion.HyperionModule;
import hyperion.caffeine.CaffeineModule;
import hyperion.config.Config;
import hyperion.prometheus.PrometheusModule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * L1 suite: cache hits as a service has them. Both sides hold four differently configured caches of
 * {@value #CAPACITY} entries each, every one filled to capacity (twice as many keys were written, so
 * eviction has run), in the same JVM; the benchmarks read one cache's resident keys in a shuffled
 * order. The port side is a Hyperion service with the Caffeine and Prometheus adapters; the native
 * side is Caffeine used directly, on the system ticker as Caffeine users have it.
 *
 * <p>Denominators: {@code contextGetIfPresent} ({@code Context.cache(name).getIfPresent}, statistics on) against
 * {@code nativeStatsGetIfPresent} ({@code maximumSize} + {@code expireAfterWrite} + {@code
 * recordStats}); {@code plainGet} (a cache with {@code record_stats: false}, held in a field)
 * against {@code nativeGetIfPresent} ({@code maximumSize} + {@code expireAfterWrite}). Run with 1
 * and 2 threads; allocation per hit comes from JMH's GC profiler.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class L1Benchmark {

  static final int CAPACITY = 10_000;
  static final Duration TTL = Duration.ofMinutes(30);
  static final String YAML = """
      service:
        name: bench
      admin:
        port: 0
      metrics:
        collect_runtime: false
        simpleclient_bridge: false
      cache:
        default:
          max_entries: 10000
          default_ttl: 30m
        users:
          record_stats: true
        plain:
          record_stats: false
        sessions:
          expire_after_access: 10m
          negative_ttl: 30s
        pages:
          max_weight: 1000000
      """;

  /** A value like an application's: a small immutable record. */
  public record User(String id, String name, int age) {}

  /** The caches of both sides, filled to capacity. */
  @State(Scope.Benchmark)
  public static class Caches {
    Context ctx;
    Cache plain;
    String[] usersKeys;
    String[] plainKeys;
    String[] nativeKeys;
    String[] nativeStatsKeys;
    com.github.benmanes.caffeine.cache.Cache<String, Object> nativePlain;
    com.github.benmanes.caffeine.cache.Cache<String, Object> nativeStats;
    final List<com.github.benmanes.caffeine.cache.Cache<String, Object>> nativeOthers = new ArrayList<>();

    @Setup
    public void setUp() {
      Injector injector = Guice.createInjector(new HyperionModule(Config.fromYaml(YAML)), new CaffeineModule(),
          new PrometheusModule());
      ctx = injector.getInstance(Context.class);
      for (String name : List.of("users", "plain", "sessions", "pages")) {
        Cache c = ctx.cache(name);
        for (int i = 0; i < 2 * CAPACITY; i++) {
          c.put(name + ":" + i, new User(name + ":" + i, "name " + i, i % 90));
        }
      }
      plain = ctx.cache("plain");
      usersKeys = resident(ctx.cache("users"), "users");
      plainKeys = resident(plain, "plain");

      nativeStats = Caffeine.newBuilder().maximumSize(CAPACITY).expireAfterWrite(TTL).recordStats().build();
      nativePlain = Caffeine.newBuilder().maximumSize(CAPACITY).expireAfterWrite(TTL).build();
      nativeOthers.add(Caffeine.newBuilder().maximumSize(CAPACITY).expireAfterAccess(Duration.ofMinutes(10))
          .recordStats().build());
      nativeOthers.add(Caffeine.newBuilder().maximumWeight(500_000)
          .weigher((String k, Object v) -> 64 + k.length()).expireAfterWrite(TTL).build());
      fill(nativeStats, "nstats");
      fill(nativePlain, "nplain");
      nativeOthers.forEach(c -> fill(c, "nother"));
      nativeStatsKeys = resident(nativeStats);
      nativeKeys = resident(nativePlain);
      if (usersKeys.length < CAPACITY / 2 || nativeStatsKeys.length < CAPACITY / 2) {
        throw new IllegalStateException("caches not at capacity: " + usersKeys.length + ", " + nativeStatsKeys.length);
      }
    }

    private static void fill(com.github.benmanes.caffeine.cache.Cache<String, Object> c, String prefix) {
      for (int i = 0; i < 2 * CAPACITY; i++) {
        c.put(prefix + ":" + i, new User(prefix + ":" + i, "name " + i, i % 90));
      }
      c.cleanUp();
    }

    /** The keys the port's cache still holds, shuffled (reading them counts as hits, before measuring). */
    private static String[] resident(Cache c, String prefix) {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 2 * CAPACITY; i++) {
        if (c.get(prefix + ":" + i, User.class).isPresent()) {
          keys.add(prefix + ":" + i);
        }
      }
      Collections.shuffle(keys, new Random(42));
      return pow2(keys);
    }

    private static String[] resident(com.github.benmanes.caffeine.cache.Cache<String, Object> c) {
      List<String> keys = new ArrayList<>(c.asMap().keySet());
      Collections.shuffle(keys, new Random(42));
      return pow2(keys);
    }

    /** The first power-of-two many keys, so the cursor can mask instead of dividing. */
    private static String[] pow2(List<String> keys) {
      int n = Integer.highestOneBit(keys.size());
      return keys.subList(0, n).toArray(String[]::new);
    }
  }

  /** Each thread walks the keys from its own offset. */
  @State(Scope.Thread)
  public static class Cursor {
    int i = (int) (Thread.currentThread().getId() * 7919);
  }

  /** Key selection alone: subtract it from every other score. */
  @Benchmark
  public Object baseline(Caches s, Cursor c) {
    String[] keys = s.usersKeys;
    return keys[(c.i++) & (keys.length - 1)];
  }

  /** {@code Context.cache("users").getIfPresent(key, User.class)}, statistics on: what service code does. */
  @Benchmark
  public Object contextGetIfPresent(Caches s, Cursor c) {
    String[] keys = s.usersKeys;
    return s.ctx.cache("users").getIfPresent(keys[(c.i++) & (keys.length - 1)], User.class);
  }

  /** The same through {@code get}, whose {@code Optional} costs 16 bytes unless the JIT removes it. */
  @Benchmark
  public Object contextGet(Caches s, Cursor c) {
    String[] keys = s.usersKeys;
    return s.ctx.cache("users").get(keys[(c.i++) & (keys.length - 1)], User.class).orElse(null);
  }

  /** {@code Context.cache("users").getOrLoad} hit, statistics on. */
  @Benchmark
  public Object contextGetOrLoad(Caches s, Cursor c) {
    String[] keys = s.usersKeys;
    return s.ctx.cache("users").getOrLoad(keys[(c.i++) & (keys.length - 1)], User.class, null,
        k -> new User(k, "loaded", 0));
  }

  /** A cache without statistics, held in a field: the adapter's bare hit. */
  @Benchmark
  public Object plainGet(Caches s, Cursor c) {
    String[] keys = s.plainKeys;
    return s.plain.getIfPresent(keys[(c.i++) & (keys.length - 1)], User.class);
  }

  @Benchmark
  public Object nativeStatsGetIfPresent(Caches s, Cursor c) {
    String[] keys = s.nativeStatsKeys;
    return s.nativeStats.getIfPresent(keys[(c.i++) & (keys.length - 1)]);
  }

  @Benchmark
  public Object nativeStatsGetWithLoader(Caches s, Cursor c) {
    String[] keys = s.nativeStatsKeys;
    return s.nativeStats.get(keys[(c.i++) & (keys.length - 1)], k -> new User(k, "loaded", 0));
  }

  @Benchmark
  public Object nativeGetIfPresent(Caches s, Cursor c) {
    String[] keys = s.nativeKeys;
    return s.nativePlain.getIfPresent(keys[(c.i++) & (keys.length - 1)]);
  }
}
