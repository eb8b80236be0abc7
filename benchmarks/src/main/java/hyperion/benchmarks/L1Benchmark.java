package hyperion.benchmarks;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import hyperion.Cache;
import hyperion.Cached;
import hyperion.Context;
import hyperion.HyperionModule;
import hyperion.caffeine.CaffeineModule;
import hyperion.config.Config;
import hyperion.prometheus.PrometheusModule;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * L1 suite: cache hits as a service has them. Both sides hold several differently configured caches of
 * {@value #CAPACITY} entries each, every one filled to capacity (twice as many keys were written, so
 * eviction has run), in the same JVM; the benchmarks read one cache's resident keys in a shuffled
 * order. The port side is a Hyperion service with the Caffeine and Prometheus adapters; the native
 * side is Caffeine used directly, on the system ticker as Caffeine users have it.
 *
 * <p>Denominators: {@code contextGetIfPresent} ({@code Context.cache(name).getIfPresent}, statistics on) against
 * {@code nativeStatsGetIfPresent} ({@code maximumSize} + {@code expireAfterWrite} + {@code
 * recordStats}); {@code plainGet} (a cache with {@code record_stats: false}, held in a field)
 * against {@code nativeGetIfPresent} ({@code maximumSize} + {@code expireAfterWrite}); {@code
 * annotatedCached} (a {@code @Cached} method of a Guice-created service, Guice AOP included) against
 * {@code handWrittenGetOrLoad} (the same service method written by hand with {@code
 * ctx.cache("users").getOrLoad(id, User.class, null, repository::find)}), both on the {@code users}
 * cache; {@code freshGetIfPresent}
 * and {@code freshGetOrLoad} (a cache like {@code users} plus {@code refresh_after}
 * and {@code stale_if_error}, none of whose entries is due) against {@code contextGetIfPresent} and
 * {@code contextGetOrLoad}: what the freshness features cost a hit; {@code hotKeysGetOrLoad} (a
 * cache like {@code users} with {@code hot_keys}) against {@code contextGetOrLoad}: what sampling
 * the hot keys costs; {@code featuresInterleaved}: a cache with all three against {@code users}.
 * Run with 1 and 2 threads; allocation per hit comes from JMH's GC profiler.
 *
 * <p>{@code fresh}, {@code hot}, {@code featured} and {@code twin} hold the key names of {@code
 * users}, filled side by side with it: their pairs compare the tier's code over equal tables. Where
 * the entries lie is drawn at random per JVM, from the paired runner's seed of the round when it
 * gives one ({@value PairedRunner#LAYOUT_SEED}), so both sides of a round have the same layout.
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
        fresh:
          record_stats: true
          refresh_after: 20m
          stale_if_error: 10m
        hot:
          record_stats: true
          hot_keys: 10
        twin:
          record_stats: true
        featured:
          record_stats: true
          refresh_after: 20m
          stale_if_error: 10m
          hot_keys: 10
      """;

  /** A value like an application's: a small immutable record. */
  public record User(String id, String name, int age) {}

  /** The data source of both services below (never called on a hit). */
  public static class Repository {
    /** The user {@code id}. */
    public User find(String id) {
      return new User(id, "loaded", 0);
    }
  }

  /** A service method written by hand against the cache port. */
  public static class HandWrittenUsers {
    private final Context ctx;
    private final Repository repository;

    /** Created by Guice. */
    @Inject
    public HandWrittenUsers(Context ctx, Repository repository) {
      this.ctx = ctx;
      this.repository = repository;
    }

    /** The user {@code id}, through the {@code users} cache. */
    public User find(String id) {
      return ctx.cache("users").getOrLoad(id, User.class, null, repository::find);
    }
  }

  /** The same service method with {@code @Cached}. */
  public static class AnnotatedUsers {
    private final Repository repository;

    /** Created by Guice, which intercepts {@link #find}. */
    @Inject
    public AnnotatedUsers(Repository repository) {
      this.repository = repository;
    }

    /** The user {@code id}, through the {@code users} cache. */
    @Cached(cache = "users", key = "{0}")
    public User find(String id) {
      return repository.find(id);
    }
  }

  /** The caches of both sides, filled to capacity. */
  @State(Scope.Benchmark)
  public static class Caches {
    Context ctx;
    Cache plain;
    HandWrittenUsers handWritten;
    AnnotatedUsers annotated;
    String[] usersKeys;
    String[] freshKeys;
    String[] hotKeys;
    /** Keys that {@code users}, {@code fresh}, {@code hot} and {@code featured} all hold, for the interleaved pairs. */
    String[] comparedKeys;
    String[] plainKeys;
    String[] nativeKeys;
    String[] nativeStatsKeys;
    com.github.benmanes.caffeine.cache.Cache<String, Object> nativePlain;
    com.github.benmanes.caffeine.cache.Cache<String, Object> nativeStats;
    final List<com.github.benmanes.caffeine.cache.Cache<String, Object>> nativeOthers = new ArrayList<>();
    /**
     * Lays the entries out (see {@link #setUp}): seeded by the paired runner's round, the same for
     * both sides of a round, else from the clock.
     */
    private final Random layout = new Random(Long.getLong(PairedRunner.LAYOUT_SEED, System.nanoTime()));
    /** Part of every key name, different in every fork. */
    private String salt;

    @Setup
    public void setUp() {
      Injector injector = Guice.createInjector(new HyperionModule(Config.fromYaml(YAML)), new CaffeineModule(),
          new PrometheusModule(), new AbstractModule() {
            @Override
            protected void configure() {
              bind(HandWrittenUsers.class);
              bind(AnnotatedUsers.class);
            }
          });
      ctx = injector.getInstance(Context.class);
      handWritten = injector.getInstance(HandWrittenUsers.class);
      annotated = injector.getInstance(AnnotatedUsers.class);
      // One interleaved pass over all caches: the entries of the caches a pair compares are then
      // allocated, and moved by the collector, alike. Filled one cache after another, where their
      // keys and values ended up in memory moved the freshness and hot-key pairs by 10-30 %.
      // A pair compares two caches of one JVM, and with one fixed layout every fork placed them the
      // same way: that bias (it changed sign with the heap size) was in every round, so no number of
      // rounds removed it. Each fork therefore salts the key names (other bucket orders, so the
      // collector copies the entries in another order) and fills the caches in a random order:
      // the layout becomes noise between rounds, which the paired runner's median takes care of.
      // Both forks of a paired round draw the same layout, so it is not noise between the sides.
      // The caches whose hits are compared with one another (users, fresh, hot, featured) hold the
      // same key names, filled side by side: equal hash tables.
      salt = Integer.toHexString(0x10000 | layout.nextInt(0x10000)).substring(1);
      List<String> names = new ArrayList<>(List.of("users", "plain", "sessions", "pages", "fresh", "hot", "featured", "twin"));
      Collections.shuffle(names, layout);
      List<Cache> caches = names.stream().map(ctx::cache).toList();
      for (int i = 0; i < 2 * CAPACITY; i++) {
        for (int n = 0; n < names.size(); n++) {
          String key = key(prefix(names.get(n)), i);
          caches.get(n).put(key, new User(key, "name " + i, i % 90));
        }
      }
      plain = ctx.cache("plain");
      usersKeys = resident(List.of(ctx.cache("users")), "user");
      freshKeys = resident(List.of(ctx.cache("fresh")), "user");
      hotKeys = resident(List.of(ctx.cache("hot")), "user");
      comparedKeys = resident(List.of(ctx.cache("users"), ctx.cache("fresh"), ctx.cache("hot"), ctx.cache("featured"),
          ctx.cache("twin")), "user");
      plainKeys = resident(List.of(plain), "plain");

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

    private void fill(com.github.benmanes.caffeine.cache.Cache<String, Object> c, String prefix) {
      for (int i = 0; i < 2 * CAPACITY; i++) {
        String key = key(prefix, i);
        c.put(key, new User(key, "name " + i, i % 90));
      }
      c.cleanUp();
    }

    /** The key prefix of the cache {@code name}: one for the caches whose hits are compared. */
    private static String prefix(String name) {
      return switch (name) {
        case "users", "fresh", "hot", "featured", "twin" -> "user";
        default -> name;
      };
    }

    /**
     * The keys that every one of the port's caches {@code cs} still holds, shuffled (reading them
     * counts as hits, before measuring).
     */
    private String[] resident(List<Cache> cs, String prefix) {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 2 * CAPACITY; i++) {
        String key = key(prefix, i);
        if (cs.stream().allMatch(c -> c.get(key, User.class).isPresent())) {
          keys.add(key);
        }
      }
      Collections.shuffle(keys, layout);
      return pow2(keys);
    }

    private String[] resident(com.github.benmanes.caffeine.cache.Cache<String, Object> c) {
      List<String> keys = new ArrayList<>(c.asMap().keySet());
      Collections.shuffle(keys, layout);
      return pow2(keys);
    }

    /** Key {@code i} of the cache {@code prefix}, in this fork's salt. */
    private String key(String prefix, int i) {
      return prefix + ":" + salt + ":" + i;
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

  /** A hand-written service method's {@code ctx.cache("users").getOrLoad} hit: the denominator of {@link #annotatedCached}. */
  @Benchmark
  public Object handWrittenGetOrLoad(Caches s, Cursor c) {
    String[] keys = s.usersKeys;
    return s.handWritten.find(keys[(c.i++) & (keys.length - 1)]);
  }

  /** The same method with {@code @Cached(cache = "users", key = "{0}")}: a hit through the Guice AOP interceptor. */
  @Benchmark
  public Object annotatedCached(Caches s, Cursor c) {
    String[] keys = s.usersKeys;
    return s.annotated.find(keys[(c.i++) & (keys.length - 1)]);
  }

  /** {@link #contextGetIfPresent} on a cache with {@code refresh_after} and {@code stale_if_error}. */
  @Benchmark
  public Object freshGetIfPresent(Caches s, Cursor c) {
    String[] keys = s.freshKeys;
    return s.ctx.cache("fresh").getIfPresent(keys[(c.i++) & (keys.length - 1)], User.class);
  }

  /** {@link #contextGetOrLoad} on a cache with {@code refresh_after} and {@code stale_if_error}. */
  @Benchmark
  public Object freshGetOrLoad(Caches s, Cursor c) {
    String[] keys = s.freshKeys;
    return s.ctx.cache("fresh").getOrLoad(keys[(c.i++) & (keys.length - 1)], User.class, null,
        k -> new User(k, "loaded", 0));
  }

  /** {@link #contextGetOrLoad} on a cache that tracks its {@code hot_keys}. */
  @Benchmark
  public Object hotKeysGetOrLoad(Caches s, Cursor c) {
    String[] keys = s.hotKeys;
    return s.ctx.cache("hot").getOrLoad(keys[(c.i++) & (keys.length - 1)], User.class, null,
        k -> new User(k, "loaded", 0));
  }

  /** Hits per side and turn of the interleaved pairs. */
  static final int BATCH = 256;

  private static final Cache.Loader<User> LOADER = k -> new User(k, "loaded", 0);

  /**
   * The nanoseconds an interleaved pair spent on each side in one iteration, which JMH reports
   * beside the score as {@code featureNanos} and {@code baseNanos}.
   */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Sides {
    /** Time in the hits on the cache with the feature. */
    public long featureNanos;
    /** Time in the hits on the cache without it. */
    public long baseNanos;
    boolean featureFirst;

    /** Counts each iteration on its own. */
    @Setup(Level.Iteration)
    public void reset() {
      featureNanos = 0;
      baseNanos = 0;
    }
  }

  /**
   * {@link #hotKeysGetOrLoad} and {@link #contextGetOrLoad} in one JVM, in turns of {@value #BATCH}
   * hits each (which goes first alternates; the two sides read different halves of the shuffled
   * keys at once), each turn timed: the noise of the machine, of the heap's layout and of the JIT
   * falls on both sides alike. One op is one hit; the pair's figure is featureNanos / baseNanos.
   */
  @Benchmark
  @OperationsPerInvocation(2 * BATCH)
  public void hotKeysInterleaved(Caches s, Cursor c, Sides t, Blackhole bh) {
    interleave(s.ctx.cache("hot"), s.ctx.cache("users"), s.comparedKeys, c, t, bh);
  }

  /** {@link #hotKeysInterleaved} for {@link #freshGetOrLoad} and {@link #contextGetOrLoad}. */
  @Benchmark
  @OperationsPerInvocation(2 * BATCH)
  public void freshInterleaved(Caches s, Cursor c, Sides t, Blackhole bh) {
    interleave(s.ctx.cache("fresh"), s.ctx.cache("users"), s.comparedKeys, c, t, bh);
  }

  /**
   * {@link #hotKeysInterleaved} for a cache with every feature of the freshness issue that acts on
   * an L1 hit ({@code refresh_after}, {@code stale_if_error} and {@code hot_keys}) against {@link
   * #contextGetOrLoad}.
   */
  @Benchmark
  @OperationsPerInvocation(2 * BATCH)
  public void featuresInterleaved(Caches s, Cursor c, Sides t, Blackhole bh) {
    interleave(s.ctx.cache("featured"), s.ctx.cache("users"), s.comparedKeys, c, t, bh);
  }

  /**
   * The null check of the interleaved pairs: {@code twin}, configured as {@code users} and filled
   * side by side with it, against {@code users}. Its ratio is what the method gives for no difference.
   */
  @Benchmark
  @OperationsPerInvocation(2 * BATCH)
  public void twinInterleaved(Caches s, Cursor c, Sides t, Blackhole bh) {
    interleave(s.ctx.cache("twin"), s.ctx.cache("users"), s.comparedKeys, c, t, bh);
  }

  private static void interleave(Cache feature, Cache base, String[] keys, Cursor c, Sides t, Blackhole bh) {
    int i = c.i;
    c.i = i + BATCH;
    int other = i + (keys.length >>> 1);
    t.featureFirst = !t.featureFirst;
    if (t.featureFirst) {
      t.featureNanos += turn(feature, keys, i, bh);
      t.baseNanos += turn(base, keys, other, bh);
    } else {
      t.baseNanos += turn(base, keys, other, bh);
      t.featureNanos += turn(feature, keys, i, bh);
    }
  }

  /**
   * {@value #BATCH} {@code getOrLoad} hits on {@code cache} from key {@code from} on; their time in
   * ns. Never inlined: both sides run this one compiled loop, instead of copies inlined at four call
   * sites, which the JIT may compile differently (it stops inlining when a method grows too large).
   */
  @CompilerControl(CompilerControl.Mode.DONT_INLINE)
  private static long turn(Cache cache, String[] keys, int from, Blackhole bh) {
    int mask = keys.length - 1;
    long start = System.nanoTime();
    for (int j = 0; j < BATCH; j++) {
      bh.consume(cache.getOrLoad(keys[(from + j) & mask], User.class, null, LOADER));
    }
    return System.nanoTime() - start;
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
