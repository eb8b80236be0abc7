package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Hyperion;
import hyperion.Tracer;
import hyperion.caffeine.CaffeineModule;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.RecordingMetrics;
import hyperion.testkit.RecordingTracer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Refresh-ahead ({@code refresh_after}) and serve-stale-on-error ({@code stale_if_error}) with two
 * service instances (two injectors with Caffeine and Redis) on a real redis-server.
 */
class FreshnessTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();

  private final List<Hyperion> apps = new ArrayList<>();

  @AfterEach
  void stop() {
    apps.forEach(Hyperion::close);
  }

  record Quote(String symbol, int version) {}

  private Hyperion start(String cacheYaml, RecordingMetrics metrics, Tracer tracer) {
    String yaml = RedisTesting.yaml(redis) + "cache:\n" + cacheYaml;
    Hyperion app = RedisTesting.start(yaml, metrics, new CaffeineModule(), new AbstractModule() {
      @Override
      protected void configure() {
        if (tracer != null) {
          OptionalBinder.newOptionalBinder(binder(), Tracer.class).setBinding().toInstance(tracer);
        }
      }
    });
    apps.add(app);
    return app;
  }

  private static Cache cache(Hyperion app, String name) {
    return app.injector().getInstance(CacheManager.class).cache(name);
  }

  /** The cache {@code quotes} of one new instance, with the settings {@code spec} (lines indented for it). */
  private Cache quotes(String spec, RecordingMetrics metrics) {
    return cache(start("  quotes:\n    " + spec + "\n", metrics, null), "quotes");
  }

  /**
   * The done-when run: a hot key with {@code refresh_after: 1s} and a 2 s TTL, read for 10 s by four
   * threads on each of two instances, through five expiries. Every reload runs on a refresh thread,
   * never on a caller's, and no caller waits as long as one load takes.
   */
  @Test
  void refreshAheadKeepsAHotKeysLatencyFlatAcrossItsExpiry() throws Exception {
    String spec = "  quotes:\n    default_ttl: 2s\n    refresh_after: 1s\n    ttl_jitter: 0\n    l2_timeout: 1s\n";
    RecordingMetrics metricsA = new RecordingMetrics();
    Hyperion a = start(spec, metricsA, null);
    Hyperion b = start(spec, null, null);
    long loadMillis = 400;
    AtomicInteger version = new AtomicInteger();
    ConcurrentLinkedQueue<String> loaderThreads = new ConcurrentLinkedQueue<>();
    Cache.Loader<Quote> loader = k -> {
      loaderThreads.add(Thread.currentThread().getName());
      Thread.sleep(loadMillis);
      return new Quote(k, version.incrementAndGet());
    };
    assertThat(cache(a, "quotes").getOrLoad("ACME", Quote.class, null, loader)).isEqualTo(new Quote("ACME", 1));
    RedisNode.await("the write-back to reach L2", Duration.ofSeconds(2), () -> RedisTesting.inL2(a, "quotes", "ACME"));
    assertThat(cache(b, "quotes").getOrLoad("ACME", Quote.class, null, loader)).isEqualTo(new Quote("ACME", 1));
    loaderThreads.clear();

    long runNanos = Duration.ofSeconds(10).toNanos();
    AtomicLong worst = new AtomicLong();
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger newest = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    List<Thread> callers = new ArrayList<>();
    for (Hyperion app : List.of(a, b)) {
      Cache quotes = cache(app, "quotes");
      for (int t = 0; t < 4; t++) {
        Thread caller = new Thread(() -> {
          long end = System.nanoTime() + runNanos;
          try {
            while (System.nanoTime() < end) {
              long t0 = System.nanoTime();
              Quote q = quotes.getOrLoad("ACME", Quote.class, null, loader);
              worst.accumulateAndGet(System.nanoTime() - t0, Math::max);
              calls.incrementAndGet();
              newest.accumulateAndGet(q.version(), Math::max);
              Thread.sleep(2);
            }
          } catch (Exception e) {
            failed.set(true);
          }
        }, "caller-" + callers.size());
        caller.start();
        callers.add(caller);
      }
    }
    for (Thread t : callers) {
      t.join();
    }
    System.out.printf("refresh-ahead: %d calls, %d reloads (%s), newest version %d, worst caller latency %d ms%n",
        calls.get(), loaderThreads.size(), loaderThreads.stream().distinct().toList(), newest.get(),
        worst.get() / 1_000_000);
    assertThat(failed).isFalse();
    assertThat(loaderThreads).as("threads that ran the loader").isNotEmpty()
        .allMatch(name -> name.equals("hyperion-cache-refresh"));
    assertThat(Duration.ofNanos(worst.get())).as("worst caller latency").isLessThan(Duration.ofMillis(loadMillis));
    // The value kept moving: about one reload per second across both instances (each instance's
    // reload that finds a value younger than refresh_after in L2 takes it instead of loading).
    assertThat(newest.get()).isBetween(6, 30);
    assertThat(metricsA.value("hyperion_cache_refreshes_total", "quotes", "success")).isGreaterThanOrEqualTo(4);
  }

  /**
   * With {@code ttl_jitter}, a value written with the default TTL falls due before {@code
   * refresh_after}, at its age {@code refresh_after} less its cut: the reload then finds the value it
   * is replacing in L2, still younger than {@code refresh_after}, and must run the loader anyway (a
   * run for each success) instead of taking that value back.
   */
  @Test
  void aJitteredReloadRunsTheLoaderThoughL2HoldsTheValueItReplacesYoungerThanRefreshAfter() throws Exception {
    RecordingMetrics metrics = new RecordingMetrics();
    Cache quotes = quotes("default_ttl: 10s\n    refresh_after: 2s\n    ttl_jitter: 0.5", metrics);
    AtomicInteger runs = new AtomicInteger();
    Cache.Loader<Quote> loader = k -> new Quote(k, runs.incrementAndGet());
    for (int i = 0; i < 20; i++) {
      quotes.getOrLoad("S" + i, Quote.class, null, loader); // each a cut of its own, below 1 s
    }
    assertThat(runs.get()).isEqualTo(20);
    long t0 = System.nanoTime();
    while (System.nanoTime() - t0 < Duration.ofMillis(2300).toNanos()) {
      for (int i = 0; i < 20; i++) {
        quotes.getOrLoad("S" + i, Quote.class, null, loader);
      }
      Thread.sleep(20);
    }
    Thread.sleep(200); // the last reloads end
    // every key fell due by its age 2 s; each reload that succeeded ran the loader
    double reloads = metrics.value("hyperion_cache_refreshes_total", "quotes", "success");
    assertThat(reloads).isGreaterThanOrEqualTo(20);
    assertThat(runs.get() - 20).isEqualTo((int) reloads);
  }

  /**
   * An instance that copies a value from L2 finds it due when the writer's copy is: at its age
   * {@code refresh_after} less the cut {@code ttl_jitter} took off its TTL on the writer, not at
   * {@code refresh_after}. Instance b alone is read; at 1.5 s about half of the values written on
   * instance a (cuts drawn from [0, 1 s)) have fallen due, and b reloads those.
   */
  @Test
  void aCopyFromL2FallsDueWhenTheWritersCopyDoes() throws Exception {
    String spec = "default_ttl: 10s\n    refresh_after: 2s\n    ttl_jitter: 0.5";
    Cache onA = quotes(spec, null);
    Cache onB = quotes(spec, null);
    AtomicInteger loadsOnB = new AtomicInteger();
    Cache.Loader<Quote> loaderB = k -> new Quote(k, 100 + loadsOnB.incrementAndGet());
    long t0 = System.nanoTime();
    for (int i = 0; i < 40; i++) {
      onA.put("S" + i, new Quote("S" + i, 1));
    }
    for (int i = 0; i < 40; i++) {
      assertThat(onB.getOrLoad("S" + i, Quote.class, null, loaderB)).isEqualTo(new Quote("S" + i, 1));
    }
    assertThat(loadsOnB.get()).as("every value read from L2").isZero();
    while (System.nanoTime() - t0 < Duration.ofMillis(1500).toNanos()) {
      for (int i = 0; i < 40; i++) {
        onB.getOrLoad("S" + i, Quote.class, null, loaderB);
      }
      Thread.sleep(20);
    }
    Thread.sleep(300); // the last reloads end
    assertThat(loadsOnB.get()).as("reloads on b by 1.5 s").isBetween(8, 32);
  }

  /** A reload that fails keeps the old value until its TTL; it is counted and retried on a later hit. */
  @Test
  void aFailedRefreshKeepsTheOldValueUntilItsTtl() throws Exception {
    RecordingMetrics metrics = new RecordingMetrics();
    Cache quotes = quotes("default_ttl: 1500ms\n    refresh_after: 300ms\n    ttl_jitter: 0", metrics);
    AtomicBoolean failing = new AtomicBoolean();
    AtomicInteger runs = new AtomicInteger();
    Cache.Loader<Quote> loader = k -> {
      runs.incrementAndGet();
      if (failing.get()) {
        throw new IllegalStateException("quote service down");
      }
      return new Quote(k, runs.get());
    };
    quotes.getOrLoad("ACME", Quote.class, null, loader);
    failing.set(true);
    long t0 = System.nanoTime();
    Thread.sleep(400);
    while (System.nanoTime() - t0 < Duration.ofMillis(1300).toNanos()) {
      assertThat(quotes.getOrLoad("ACME", Quote.class, null, loader)).isEqualTo(new Quote("ACME", 1));
      Thread.sleep(20);
    }
    assertThat(metrics.value("hyperion_cache_refreshes_total", "quotes", "error")).isGreaterThanOrEqualTo(2);
    Thread.sleep(400); // past the TTL: the loader's failure reaches the caller (no stale_if_error)
    assertThatThrownBy(() -> quotes.getOrLoad("ACME", Quote.class, null, loader))
        .isInstanceOf(IllegalStateException.class).hasMessage("quote service down");
  }

  /**
   * {@code stale_if_error}: while the loader fails, the expired value is served from L1 (on the
   * instance that had it) and from L2's stale copy (on one that did not), counted and marked on the
   * span, and no longer once it is older than TTL + stale_if_error.
   */
  @Test
  void staleIfErrorServesTheExpiredValueWhileTheLoaderFailsAndStopsAfterTheBound() throws Exception {
    String spec = "  prices:\n    default_ttl: 1s\n    stale_if_error: 2s\n    ttl_jitter: 0\n";
    RecordingMetrics metricsA = new RecordingMetrics();
    RecordingMetrics metricsB = new RecordingMetrics();
    RecordingTracer tracerA = new RecordingTracer();
    Hyperion a = start(spec, metricsA, tracerA);
    Hyperion b = start(spec, metricsB, null);
    AtomicBoolean failing = new AtomicBoolean();
    Cache.Loader<Quote> loader = k -> {
      if (failing.get()) {
        throw new IllegalStateException("price feed down");
      }
      return new Quote(k, 7);
    };
    long written = System.nanoTime();
    assertThat(cache(a, "prices").getOrLoad("ACME", Quote.class, null, loader)).isEqualTo(new Quote("ACME", 7));
    RedisNode.await("the write-back to reach L2", Duration.ofSeconds(2), () -> RedisTesting.inL2(a, "prices", "ACME"));
    failing.set(true);
    Thread.sleep(1200 - (System.nanoTime() - written) / 1_000_000);

    // Expired: plain reads miss, getOrLoad runs the loader, which fails, and the stale value is served.
    assertThat(cache(a, "prices").get("ACME", Quote.class)).isEmpty();
    assertThat(cache(b, "prices").exists("ACME")).as("exists() of an expired value").isFalse();
    assertThat(cache(a, "prices").getOrLoad("ACME", Quote.class, null, loader)).isEqualTo(new Quote("ACME", 7));
    assertThat(cache(b, "prices").getOrLoad("ACME", Quote.class, null, loader)).isEqualTo(new Quote("ACME", 7));
    assertThat(metricsA.value("hyperion_cache_requests_total", "prices", "l1", "stale")).isEqualTo(1);
    assertThat(metricsB.value("hyperion_cache_requests_total", "prices", "l2", "stale")).isEqualTo(1);
    assertThat(metricsA.value("hyperion_cache_loads_total", "prices", "error")).isEqualTo(1);
    RecordingTracer.RecordedSpan load = tracerA.finished().stream().filter(s -> s.name.equals("cache.load"))
        .reduce((x, y) -> y).orElseThrow();
    assertThat(load.attributes).containsEntry("cache.stale", true);

    // Past TTL + stale_if_error (3 s after the write): nothing stale is left to serve.
    Thread.sleep(Math.max(0, 3100 - (System.nanoTime() - written) / 1_000_000));
    for (Hyperion app : List.of(a, b)) {
      assertThatThrownBy(() -> cache(app, "prices").getOrLoad("ACME", Quote.class, null, loader))
          .isInstanceOf(IllegalStateException.class).hasMessage("price feed down");
    }
    // The loader recovers: the fresh value replaces the stale one.
    failing.set(false);
    assertThat(cache(b, "prices").getOrLoad("ACME", Quote.class, null, loader)).isEqualTo(new Quote("ACME", 7));
  }
}
