package hyperion.caffeine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Cache;
import hyperion.Context;
import hyperion.HyperionModule;
import hyperion.config.Config;
import hyperion.testkit.FakeTicker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * When values of a cache with {@code refresh_after} and {@code stale_if_error} fall due, over the
 * Caffeine layer (which holds them unwrapped until then) on a fake ticker: the reload of a value
 * written with the default TTL falls due at {@code refresh_after} less the cut {@code ttl_jitter}
 * took off its TTL, that cut being at most {@code ttl_jitter * refresh_after}; a value with its own
 * TTL falls due at {@code refresh_after}; expiry and the stale window are exact.
 */
class FreshnessTimingTest {
  private static final int KEYS = 100;

  private final FakeTicker ticker = new FakeTicker();
  private final AtomicInteger loads = new AtomicInteger();
  private final Context context = Guice.createInjector(new HyperionModule(Config.fromYaml("""
      cache:
        quotes:
          layers: l1
          default_ttl: 60s
          refresh_after: 20s
          stale_if_error: 30s
          ttl_jitter: 0.5
        idle:
          layers: l1
          default_ttl: 60s
          refresh_after: 20s
          stale_if_error: 30s
          ttl_jitter: 0.5
          expire_after_access: 5m
      """)), new CaffeineModule(), new AbstractModule() {
        @Override
        protected void configure() {
          OptionalBinder.newOptionalBinder(binder(), Ticker.class).setBinding().toInstance(ticker::read);
        }
      }).getInstance(Context.class);
  /** The values are held as they are until due. */
  private Cache cache = context.cache("quotes");

  private String getOrLoad(String key) {
    return cache.getOrLoad(key, String.class, null, k -> {
      loads.incrementAndGet();
      return "reloaded";
    });
  }

  /** The number of loads once no more start for 300 ms (reloads run in the background); at most 10 s. */
  private int settledLoads() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int seen = -1;
    while (seen != loads.get() && System.nanoTime() < deadline) {
      seen = loads.get();
      Thread.sleep(300);
    }
    return loads.get();
  }

  /**
   * {@link #settledLoads} after reading every key until a pass starts no reload: a due hit that
   * finds every reload thread busy starts none, and a later hit tries again.
   */
  private int loadsOnceEveryDueKeyIsReloaded() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int seen;
    do {
      seen = settledLoads();
      for (int i = 0; i < KEYS; i++) {
        getOrLoad("k" + i);
      }
    } while (settledLoads() != seen && System.nanoTime() < deadline);
    return loads.get();
  }

  @Test
  void aDefaultTtlValueFallsDueAtRefreshAfterLessItsJitterCutNeverBeforeHalfOfIt() throws InterruptedException {
    for (int i = 0; i < KEYS; i++) {
      cache.put("k" + i, "v" + i);
    }
    ticker.advance(Duration.ofSeconds(10).minusNanos(1)); // (1 - ttl_jitter) * refresh_after, less 1 ns
    for (int i = 0; i < KEYS; i++) {
      assertThat(getOrLoad("k" + i)).isEqualTo("v" + i);
    }
    assertThat(settledLoads()).isZero();

    ticker.advance(Duration.ofSeconds(5).plusNanos(1)); // age 15 s: due if the cut was 5 s or more
    for (int i = 0; i < KEYS; i++) {
      assertThat(getOrLoad("k" + i)).isEqualTo("v" + i); // a due value is still served at once
    }
    assertThat(loadsOnceEveryDueKeyIsReloaded()).as("cuts drawn uniformly from [0, 10 s)").isBetween(20, 80);

    ticker.advance(Duration.ofSeconds(5)); // age 20 s: every value written at 0 is due
    // one reload per key: those reloaded at 15 s are 5 s old
    assertThat(loadsOnceEveryDueKeyIsReloaded()).isEqualTo(KEYS);
  }

  /**
   * The same times where the layer wraps every value when it is written ({@code
   * expire_after_access}): a value falls due by the rule, not by how it is stored.
   */
  @Test
  void aDefaultTtlValueWrappedWhenWrittenFallsDueAtTheSameTimes() throws InterruptedException {
    cache = context.cache("idle");
    aDefaultTtlValueFallsDueAtRefreshAfterLessItsJitterCutNeverBeforeHalfOfIt();
  }

  @Test
  void aValueWithItsOwnTtlFallsDueAtRefreshAfter() throws InterruptedException {
    cache.put("own", "v", Duration.ofSeconds(40));
    ticker.advance(Duration.ofSeconds(20).minusNanos(1));
    assertThat(getOrLoad("own")).isEqualTo("v");
    assertThat(settledLoads()).isZero();
    ticker.advance(Duration.ofNanos(1));
    assertThat(getOrLoad("own")).isEqualTo("v");
    assertThat(settledLoads()).isEqualTo(1);
    assertThat(cache.getIfPresent("own", String.class)).isEqualTo("reloaded");
  }

  @Test
  void anUnwrappedValueExpiresAtItsTtlAndIsServedStaleUntilStaleIfErrorAfter() {
    cache.put("k", "v");
    assertThat(cache.getEntry("k", String.class).orElseThrow().ttl())
        .isBetween(Duration.ofSeconds(50), Duration.ofSeconds(60)); // the TTL, without the stale window
    ticker.advance(Duration.ofSeconds(60)); // past the TTL, however much of it the jitter cut
    assertThat(cache.getIfPresent("k", String.class)).isNull();
    assertThat(cache.getOrLoad("k", String.class, null, k -> {
      throw new IllegalStateException("source down");
    })).isEqualTo("v");
    ticker.advance(Duration.ofSeconds(30)); // TTL + stale_if_error passed
    assertThatThrownBy(() -> cache.getOrLoad("k", String.class, null, k -> {
      throw new IllegalStateException("source down");
    })).hasMessageContaining("source down");
  }
}
