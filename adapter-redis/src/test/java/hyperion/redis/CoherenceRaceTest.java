package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.cache.RemoteEntry;
import hyperion.config.CacheSpec;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.RecordingMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Writers and loaders race on the same keys from two instances (Caffeine L1 + Redis L2 each) over a
 * shared "database". Afterwards every instance and L2 hold the last write, and the recorded history
 * shows no read that began after a write's acknowledgement returning an older value: never on the
 * writing instance, and on the other instance only within the invalidation's delivery time.
 *
 * <p>{@code -Dhyperion.race.seconds=10} (default) sets each run's length and {@code
 * -Dhyperion.race.runs=1} (default) the number of runs in a row; the documented soak is 20 runs.
 */
class CoherenceRaceTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();

  static final int KEYS = 8;
  /** The most a read on another instance may lag an acknowledged write: the bus delivery time. */
  static final Duration DELIVERY_BOUND = Duration.ofSeconds(1);

  /** A cached row: its key and version. */
  record Row(String key, long version) {}

  /** A read: which instance, which key, the version it returned, when it began. */
  record Read(int instance, int key, long version, long startNanos) {}

  /** An acknowledged write (a put, or a delete when {@code deleted}). */
  record Write(int instance, int key, long version, long ackNanos, boolean deleted) {}

  @Test
  void writersAndLoadersConvergeAndNoReadGoesBackBeyondTheBound() throws Exception {
    int runs = Integer.getInteger("hyperion.race.runs", 1);
    Duration length = Duration.ofSeconds(Integer.getInteger("hyperion.race.seconds", 10));
    for (int run = 1; run <= runs; run++) {
      race("race" + run, length, run, runs);
    }
  }

  private void race(String cacheName, Duration length, int run, int runs) throws Exception {
    String yaml = RedisTesting.yaml(redis, "command_timeout: 1s") + "cache:\n  default:\n    ttl_jitter: 0\n"
        + "    l2_timeout: 2s\n    default_ttl: 60s\n";
    RecordingMetrics metrics = new RecordingMetrics();
    try (Hyperion a = RedisTesting.start(yaml, metrics, new CaffeineModule());
        Hyperion b = RedisTesting.start(yaml, metrics, new CaffeineModule())) {
      Cache[] caches = {cache(a, cacheName), cache(b, cacheName)};
      // Both buses must be subscribed before the race: a write must reach the other instance.
      for (int i = 0; i < 2; i++) {
        RedisTesting.awaitWriteAndRead(caches[i], "warm-up");
      }
      AtomicLongArray database = new AtomicLongArray(KEYS);
      ReentrantLock[] rowLocks = new ReentrantLock[KEYS];
      for (int k = 0; k < KEYS; k++) {
        rowLocks[k] = new ReentrantLock();
      }
      ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
      long end = System.nanoTime() + length.toNanos();
      ExecutorService pool = Executors.newFixedThreadPool(10);
      List<Future<?>> tasks = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        int instance = i;
        Cache cache = caches[i];
        for (int w = 0; w < 2; w++) {
          tasks.add(pool.submit(() -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            while (System.nanoTime() < end) {
              int k = rnd.nextInt(KEYS);
              // The row lock orders writes to a key, as a database would: "last write" is well defined.
              rowLocks[k].lock();
              try {
                long v = database.incrementAndGet(k);
                boolean delete = rnd.nextInt(4) == 0;
                if (delete) {
                  cache.delete("k" + k);
                } else {
                  cache.put("k" + k, new Row("k" + k, v));
                }
                writes.add(new Write(instance, k, v, System.nanoTime(), delete));
              } finally {
                rowLocks[k].unlock();
              }
              sleepMillis(rnd.nextInt(1, 6));
            }
            return null;
          }));
        }
        for (int r = 0; r < 3; r++) {
          tasks.add(pool.submit(() -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            while (System.nanoTime() < end) {
              int k = rnd.nextInt(KEYS);
              long start = System.nanoTime();
              Row row = cache.getOrLoad("k" + k, Row.class, null, key -> {
                long v = database.get(k);
                // Slow after reading: the value may be stale by the time it is written back.
                sleepMillis(ThreadLocalRandom.current().nextInt(0, 15));
                return new Row(key, v);
              });
              reads.add(new Read(instance, k, row.version(), start));
              if (rnd.nextInt(16) == 0) {
                sleepMillis(1); // a busy service, not a spin loop: leaves the bus threads some CPU
              }
            }
            return null;
          }));
        }
      }
      for (Future<?> t : tasks) {
        t.get(length.toSeconds() + 60, TimeUnit.SECONDS);
      }
      pool.shutdown();

      assertThat(metrics.value("hyperion_cache_l2_timeouts_total", cacheName, "get")
          + metrics.value("hyperion_cache_l2_timeouts_total", cacheName, "put")
          + metrics.value("hyperion_cache_l2_timeouts_total", cacheName, "delete"))
          .as("L2 timeouts would make the run inconclusive").isZero();
      long maxLag = checkHistory(new ArrayList<>(reads), new ArrayList<>(writes));

      // Convergence: after the bus delivered, both instances and L2 hold the last write.
      Thread.sleep(DELIVERY_BOUND.toMillis());
      for (int k = 0; k < KEYS; k++) {
        long last = database.get(k);
        RemoteEntry inL2 = a.injector().getInstance(RedisLayers.class).create(cacheName, CacheSpec.DEFAULTS)
            .get("k" + k).toCompletableFuture().get(5, TimeUnit.SECONDS);
        if (inL2.present()) {
          assertThat(inL2.decode(Row.class).version()).as("L2 k%d", k).isEqualTo(last);
        }
        for (Cache c : caches) {
          c.getIfPresent("k" + k, Row.class);
          Row now = c.getIfPresent("k" + k, Row.class);
          if (now != null) {
            assertThat(now.version()).as("%s k%d", c, k).isEqualTo(last);
          }
          int finalK = k;
          assertThat(c.getOrLoad("k" + k, Row.class, null, key -> new Row(key, database.get(finalK))).version())
              .isEqualTo(last);
        }
      }
      System.out.printf("race run %d/%d: %d reads, %d writes (%d deletes), %.0f loads; max lag of a read on the"
              + " other instance behind an acknowledged write: %.1f ms%n", run, runs, reads.size(), writes.size(),
          writes.stream().filter(Write::deleted).count(),
          metrics.value("hyperion_cache_loads_total", cacheName, "success"), maxLag / 1e6);
      assertThat(reads.size()).as("reads").isGreaterThan(200);
      assertThat(writes.size()).as("writes").isGreaterThan(200);
    }
  }

  /**
   * Checks every read against the writes acknowledged before it began; returns the largest lag (ns)
   * of a read on the other instance behind a newer acknowledged write. Writes to a key are ordered by
   * its row lock, so per key their versions rise with their acknowledgement times.
   */
  private static long checkHistory(List<Read> reads, List<Write> writes) {
    List<List<Write>> byKey = new ArrayList<>();
    for (int k = 0; k < KEYS; k++) {
      byKey.add(new ArrayList<>());
    }
    writes.forEach(w -> byKey.get(w.key()).add(w));
    byKey.forEach(l -> l.sort(java.util.Comparator.comparingLong(Write::ackNanos)));
    long maxLag = 0;
    List<String> violations = new ArrayList<>();
    for (Read r : reads) {
      List<Write> ws = byKey.get(r.key());
      // The writes acknowledged before the read began: ws[0, n).
      int lo = 0;
      int hi = ws.size();
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (ws.get(mid).ackNanos() < r.startNanos()) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      // The first of them newer than what the read returned (versions rise along the list).
      int first = 0;
      int end = lo;
      while (first < end) {
        int mid = (first + end) >>> 1;
        if (ws.get(mid).version() <= r.version()) {
          first = mid + 1;
        } else {
          end = mid;
        }
      }
      boolean lagged = false;
      for (int i = first; i < lo; i++) {
        Write w = ws.get(i);
        long lag = r.startNanos() - w.ackNanos();
        if (w.instance() == r.instance()) {
          violations.add("instance " + r.instance() + " read k" + r.key() + " v" + r.version() + " "
              + lag / 1_000_000 + " ms after its own write of v" + w.version() + " was acknowledged");
          break;
        } else if (!lagged) {
          maxLag = Math.max(maxLag, lag); // the earliest newer write gives the largest lag
          lagged = true;
        }
      }
    }
    assertThat(violations).as("reads older than the reading instance's own acknowledged writes").isEmpty();
    assertThat(Duration.ofNanos(maxLag)).as("lag behind another instance's write").isLessThan(DELIVERY_BOUND);
    return maxLag;
  }

  private static Cache cache(Hyperion app, String name) {
    return app.injector().getInstance(CacheManager.class).cache(name);
  }

  private static void sleepMillis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
