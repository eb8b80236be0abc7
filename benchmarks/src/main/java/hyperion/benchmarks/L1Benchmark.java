package hyperion.benchmarks;

import hyperion.prometheus.PrometheusModule;
import hyperion.caffeine.CaffeineModule;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Context;
import hyperion.HyperionModule;
import hyperion.L1;
import hyperion.L2;
import hyperion.config.Config;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * L1 suite: hits through the {@link Cache} port (Caffeine adapter) and through a {@link
 * hyperion.cache.TieredCache} with metrics on, next to Caffeine used directly. The runner runs it
 * with 1 and 2 threads. Every read is a hit: 1024 entries, all present, read round-robin.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class L1Benchmark {

  static final int KEYS = 1024;
  static final Duration TTL = Duration.ofMinutes(30);
  static final String YAML = """
      service:
        name: bench
      metrics:
        port: 0
        collect_runtime: false
        simpleclient_bridge: false
      cache:
        plain:
          max_entries: 10000
          default_ttl: 30m
          record_stats: false
          ttl_jitter: 0.0
        stats:
          max_entries: 10000
          default_ttl: 30m
          record_stats: true
          ttl_jitter: 0.0
      """;

  /** A value like an application's: a small immutable record. */
  public record User(String id, String name, int age) {}

  /** The caches of both sides, filled with the same entries. */
  @State(Scope.Benchmark)
  public static class Shared {
    final String[] keys = new String[KEYS];
    Cache port;
    Cache tiered;
    com.github.benmanes.caffeine.cache.Cache<String, Object> caffeine;
    com.github.benmanes.caffeine.cache.Cache<String, Object> caffeineStats;
    com.github.benmanes.caffeine.cache.Cache<String, Object> caffeinePerEntryTtl;

    @Setup
    public void setUp() {
      Injector injector = Guice.createInjector(new HyperionModule(Config.fromYaml(YAML)),
          new CaffeineModule(), new PrometheusModule(), new AbstractModule() {
            @Override
            protected void configure() {
              OptionalBinder.newOptionalBinder(binder(), Key.get(CacheManager.class, L2.class)).setBinding()
                  .toInstance(new EmptyL2());
            }
          });
      port = injector.getInstance(Key.get(CacheManager.class, L1.class)).cache("plain");
      // With an L1 and an L2 bound, Context.cache gives the TieredCache.
      tiered = injector.getInstance(Context.class).cache("stats");
      caffeine = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(TTL).build();
      caffeineStats = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(TTL).recordStats().build();
      // What the adapter builds for per-entry TTLs: a variable Expiry instead of expireAfterWrite.
      caffeinePerEntryTtl = Caffeine.newBuilder().maximumSize(10_000)
          .expireAfter(new com.github.benmanes.caffeine.cache.Expiry<String, Object>() {
            @Override
            public long expireAfterCreate(String key, Object value, long currentTime) {
              return TTL.toNanos();
            }

            @Override
            public long expireAfterUpdate(String key, Object value, long currentTime, long currentDuration) {
              return TTL.toNanos();
            }

            @Override
            public long expireAfterRead(String key, Object value, long currentTime, long currentDuration) {
              return currentDuration;
            }
          }).build();
      for (int i = 0; i < KEYS; i++) {
        keys[i] = "user:" + i;
        User u = new User(keys[i], "name" + i, i % 90);
        port.put(keys[i], u, TTL);
        tiered.put(keys[i], u, TTL);
        caffeine.put(keys[i], u);
        caffeineStats.put(keys[i], u);
        caffeinePerEntryTtl.put(keys[i], u);
      }
      if (port.get(keys[7], User.class).isEmpty() || tiered.get(keys[7], User.class).isEmpty()) {
        throw new IllegalStateException("the adapter lost an entry right after put");
      }
    }
  }

  /** Each thread walks the keys round-robin from its own offset. */
  @State(Scope.Thread)
  public static class Cursor {
    int i = (int) (Thread.currentThread().getId() * 127);

    String next(Shared s) {
      return s.keys[(i++) & (KEYS - 1)];
    }
  }

  @Benchmark
  public Object baseline(Shared s, Cursor c) {
    return c.next(s);
  }

  @Benchmark
  public Object portGet(Shared s, Cursor c) {
    return s.port.get(c.next(s), User.class);
  }

  @Benchmark
  public Object nativeGetIfPresent(Shared s, Cursor c) {
    return s.caffeine.getIfPresent(c.next(s));
  }

  /** Caffeine configured like the adapter (variable per-entry expiry), to split the overhead. */
  @Benchmark
  public Object nativePerEntryTtlGetIfPresent(Shared s, Cursor c) {
    return s.caffeinePerEntryTtl.getIfPresent(c.next(s));
  }

  @Benchmark
  public Object portGetOrLoad(Shared s, Cursor c) {
    return s.port.getOrLoad(c.next(s), User.class, TTL, k -> new User(k, "loaded", 0));
  }

  @Benchmark
  public Object nativeGetWithLoader(Shared s, Cursor c) {
    return s.caffeine.get(c.next(s), k -> new User(k, "loaded", 0));
  }

  @Benchmark
  public Object tieredGet(Shared s, Cursor c) {
    return s.tiered.get(c.next(s), User.class);
  }

  @Benchmark
  public Object nativeStatsGetIfPresent(Shared s, Cursor c) {
    return s.caffeineStats.getIfPresent(c.next(s));
  }
}
