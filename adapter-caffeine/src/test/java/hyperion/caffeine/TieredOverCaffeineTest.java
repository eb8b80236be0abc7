package hyperion.caffeine;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.cache.TieredCache;
import hyperion.config.CacheConfig;
import hyperion.config.CacheSpec;
import hyperion.testkit.FakeTicker;
import hyperion.testkit.InMemoryCacheManager;
import hyperion.testkit.InMemoryInvalidationBus;
import hyperion.testkit.RecordingMetrics;
import hyperion.testkit.RecordingTracer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TieredCache with the real Caffeine L1: per-layer metrics from both declarers, coherence, expiry. */
class TieredOverCaffeineTest {
  static final String NAME = "items";
  static final String REQUESTS = "hyperion_cache_requests_total";

  record Item(String id) {}

  final FakeTicker ticker = new FakeTicker();
  final RecordingMetrics metrics = new RecordingMetrics();
  final RecordingTracer tracer = new RecordingTracer();
  final InMemoryCacheManager l2 = new InMemoryCacheManager(ticker, Duration.ofMinutes(5));
  final InMemoryInvalidationBus.Hub hub = new InMemoryInvalidationBus.Hub();
  final CacheConfig config = new CacheConfig(Map.of(NAME, new CacheSpec(1_000, 0, Duration.ofMinutes(5),
      Duration.ZERO, true, 0.1, Duration.ofSeconds(30), Duration.ofMillis(100), 3, Duration.ofSeconds(5))));

  final class Instance {
    final CaffeineCacheManager l1 = new CaffeineCacheManager(config, metrics, ticker::read,
        EstimatingWeigher.INSTANCE, Runnable::run);
    final CacheManager manager = TieredCache.builder(l1, l2).bus(hub.bus()).config(config).metrics(metrics)
        .tracer(tracer).clock(ticker).build();
    final Cache cache = manager.cache(NAME);
  }

  double count(String layer, String result) {
    return metrics.value(REQUESTS, NAME, layer, result);
  }

  @Test
  void hitsMissesAndErrorsAreCountedExactlyPerLayer() {
    Instance a = new Instance();
    a.cache.put("a", new Item("a"));
    a.cache.get("a", Item.class); // l1 hit
    a.cache.get("b", Item.class); // l1 miss, l2 miss
    l2.cache(NAME).put("c", new Item("c"));
    a.cache.get("c", Item.class); // l1 miss, l2 hit (fills L1)
    a.cache.get("c", Item.class); // l1 hit
    a.cache.getOrLoad("d", Item.class, null, Item::new); // l1 miss, l2 miss, load
    a.cache.getOrLoad("d", Item.class, null, Item::new); // l1 hit
    l2.failWith(new IllegalStateException("down"));
    a.cache.get("e", Item.class); // l1 miss, l2 error
    assertThat(count("l1", "hit")).isEqualTo(3);
    assertThat(count("l1", "miss")).isEqualTo(4);
    assertThat(count("l2", "hit")).isEqualTo(1);
    assertThat(count("l2", "miss")).isEqualTo(2);
    assertThat(count("l2", "error")).isEqualTo(1);
    // Loads are counted once, by the tiered layer (it does not call the L1's getOrLoad).
    assertThat(metrics.value("hyperion_cache_loads_total", NAME, "success")).isEqualTo(1);
  }

  @Test
  void anInvalidationEvictsTheCaffeineL1AndAReconnectClearsIt() {
    Instance a = new Instance();
    Instance b = new Instance();
    a.cache.put("k", new Item("v1"));
    assertThat(b.cache.get("k", Item.class)).contains(new Item("v1"));
    Cache bL1 = b.l1.cache(NAME);
    assertThat(bL1.exists("k")).isTrue();
    a.cache.put("k", new Item("v2"));
    assertThat(bL1.exists("k")).isFalse();
    assertThat(b.cache.get("k", Item.class)).contains(new Item("v2"));

    hub.down(true);
    a.cache.put("k", new Item("v3"));
    assertThat(b.cache.get("k", Item.class)).contains(new Item("v2")); // stale until the reconnect
    hub.reconnect();
    assertThat(bL1.exists("k")).isFalse();
    assertThat(b.cache.get("k", Item.class)).contains(new Item("v3"));
  }

  @Test
  void theL1CopyOfAnL2HitExpiresWithTheL2Entry() {
    Instance a = new Instance();
    l2.cache(NAME).put("k", new Item("k"), Duration.ofSeconds(10));
    assertThat(a.cache.get("k", Item.class)).contains(new Item("k"));
    ticker.advance(Duration.ofSeconds(11));
    assertThat(a.l1.cache(NAME).exists("k")).isFalse();
  }

  @Test
  void negativeEntriesLiveInTheCaffeineL1AndExpire() {
    Instance a = new Instance();
    assertThat(a.cache.getOrLoad("ghost", Item.class, null, k -> null)).isNull();
    assertThat(a.cache.getOrLoad("ghost", Item.class, null, Item::new)).isNull(); // loader not run
    assertThat(a.cache.get("ghost", Item.class)).isEmpty();
    ticker.advance(Duration.ofSeconds(31));
    assertThat(a.cache.getOrLoad("ghost", Item.class, null, Item::new)).isEqualTo(new Item("ghost"));
  }
}
