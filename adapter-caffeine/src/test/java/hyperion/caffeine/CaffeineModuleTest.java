package hyperion.caffeine;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Cache;
import hyperion.Context;
import hyperion.HyperionModule;
import hyperion.Metrics;
import hyperion.config.Config;
import hyperion.testkit.FakeTicker;
import hyperion.testkit.RecordingMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link CaffeineModule} as a service installs it: named caches from config, metrics, the ticker binding. */
class CaffeineModuleTest {
  static final String REQUESTS = "hyperion_cache_requests_total";

  final FakeTicker ticker = new FakeTicker();
  final RecordingMetrics metrics = new RecordingMetrics();

  Context context(String yaml) {
    Injector injector = Guice.createInjector(new HyperionModule(Config.fromYaml(yaml)), new CaffeineModule(),
        new CaffeineModule(), new AbstractModule() {
          @Override
          protected void configure() {
            OptionalBinder.newOptionalBinder(binder(), Ticker.class).setBinding().toInstance(ticker::read);
            OptionalBinder.newOptionalBinder(binder(), Metrics.class).setBinding().toInstance(metrics);
          }
        });
    return injector.getInstance(Context.class);
  }

  @Test
  void namedCachesTakeTheirSettingsFromConfigAndExpireOnTheBoundTicker() {
    Context ctx = context("""
        cache:
          default:
            default_ttl: 1m
            ttl_jitter: 0
          short:
            default_ttl: 10s
        """);
    Cache shortCache = ctx.cache("short");
    Cache other = ctx.cache("other");
    assertThat(ctx.cache("short")).isSameAs(shortCache);
    shortCache.put("k", "v");
    other.put("k", "v");
    ticker.advance(Duration.ofSeconds(11));
    assertThat(shortCache.exists("k")).isFalse();
    assertThat(other.exists("k")).isTrue();
    ticker.advance(Duration.ofMinutes(1));
    assertThat(other.exists("k")).isFalse();
  }

  @Test
  void hitsMissesAndSizeAreCountedByTheTier() {
    Context ctx = context("cache:\n  c:\n    max_entries: 100\n");
    Cache c = ctx.cache("c");
    c.put("a", "a");
    c.get("a", String.class); // hit
    c.get("a", Integer.class); // another type: miss
    c.get("b", String.class); // miss
    c.getEntry("a", String.class); // hit
    c.getOrLoad("c", String.class, null, k -> "c"); // miss + load
    c.getOrLoad("c", String.class, null, k -> "c"); // hit
    c.getAll(List.of("a", "c", "d"), String.class); // 2 hits, 1 miss
    assertThat(metrics.value(REQUESTS, "c", "l1", "hit")).isEqualTo(5);
    assertThat(metrics.value(REQUESTS, "c", "l1", "miss")).isEqualTo(4);
    assertThat(metrics.value("hyperion_cache_loads_total", "c", "success")).isEqualTo(1);
    assertThat(metrics.value("hyperion_cache_size", "c")).isEqualTo(2);
    assertThat(metrics.declared("hyperion_cache_l2_timeouts_total")).isTrue(); // declared, no L2 series
    assertThat(metrics.value(REQUESTS, "c", "l2", "miss")).isZero();
  }

  @Test
  void negativeEntriesLiveInCaffeineAndExpire() {
    Context ctx = context("cache:\n  c:\n    negative_ttl: 30s\n");
    Cache c = ctx.cache("c");
    assertThat(c.getOrLoad("ghost", String.class, null, k -> null)).isNull();
    assertThat(c.getOrLoad("ghost", String.class, null, k -> "loaded")).isNull(); // loader not run
    assertThat(c.get("ghost", String.class)).isEmpty();
    ticker.advance(Duration.ofSeconds(31));
    assertThat(c.getOrLoad("ghost", String.class, null, k -> "loaded")).isEqualTo("loaded");
  }

  @Test
  void aHitStartsARefreshAtRefreshAfterAndNotANanosecondBefore() throws Exception {
    Context ctx = context("cache:\n  fresh:\n    layers: l1\n    default_ttl: 1m\n    ttl_jitter: 0\n"
        + "    refresh_after: 10s\n");
    Cache c = ctx.cache("fresh");
    AtomicInteger loads = new AtomicInteger();
    Cache.Loader<String> loader = k -> "v" + loads.incrementAndGet();
    assertThat(c.getOrLoad("k", String.class, null, loader)).isEqualTo("v1");
    ticker.advance(Duration.ofSeconds(10).minusNanos(1));
    assertThat(c.getOrLoad("k", String.class, null, loader)).isEqualTo("v1");
    Thread.sleep(200); // a refresh started by that hit would have run by now
    assertThat(loads).as("no refresh before refresh_after").hasValue(1);
    ticker.advance(Duration.ofNanos(1));
    assertThat(c.getOrLoad("k", String.class, null, loader)).isEqualTo("v1"); // starts the refresh
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!"v2".equals(c.getIfPresent("k", String.class)) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(c.getIfPresent("k", String.class)).isEqualTo("v2");
    assertThat(loads).hasValue(2);
  }

  @Test
  void theDefaultTickerIsTheCoarseOne() {
    Injector injector = Guice.createInjector(new HyperionModule(), new CaffeineModule());
    assertThat(injector.getInstance(Ticker.class)).isSameAs(CoarseTicker.INSTANCE);
  }

  @Test
  void modulesAreEqualByClass() {
    assertThat(new CaffeineModule()).isEqualTo(new CaffeineModule()).hasSameHashCodeAs(new CaffeineModule());
  }
}
