package hyperion.caffeine;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.cache.LocalLayer;
import hyperion.cache.LocalLayer.EvictionCause;
import hyperion.config.CacheSpec;
import hyperion.testkit.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The Caffeine L1 layer: per-entry expiry on a fake ticker, idle expiry, bounds, eviction notices. */
class CaffeineLayerTest {
  record Item(String id, String payload) {}

  final FakeTicker ticker = new FakeTicker();
  final Map<EvictionCause, AtomicLong> evicted = new ConcurrentHashMap<>();

  static CacheSpec spec(long maxEntries, long maxWeight, Duration idle) {
    return new CacheSpec(maxEntries, maxWeight, Duration.ofMinutes(5), idle, true, 0.1, Duration.ZERO,
        Duration.ofMillis(250), 5, Duration.ofSeconds(5), Duration.ofSeconds(30), CacheSpec.Layers.ALL);
  }

  CaffeineLayer layer(CacheSpec spec) {
    return new CaffeineLayer(spec, ticker::read, EstimatingWeigher.INSTANCE, Runnable::run,
        cause -> evicted.computeIfAbsent(cause, c -> new AtomicLong()).incrementAndGet(), null, null);
  }

  CaffeineLayer defaults() {
    return layer(spec(10_000, 0, Duration.ZERO));
  }

  long evictions(EvictionCause cause) {
    return evicted.getOrDefault(cause, new AtomicLong()).get();
  }

  static long secs(long s) {
    return Duration.ofSeconds(s).toNanos();
  }

  @Test
  void eachEntryExpiresAfterItsOwnTtl() {
    CaffeineLayer l = defaults();
    l.put("short", "s", secs(10));
    l.put("long", "l", secs(300));
    ticker.advance(Duration.ofSeconds(9));
    assertThat(l.get("short")).isEqualTo("s");
    assertThat(l.remainingNanos("short")).isEqualTo(secs(1));
    ticker.advance(Duration.ofSeconds(2));
    assertThat(l.get("short")).isNull();
    assertThat(l.remainingNanos("short")).isZero();
    assertThat(l.get("long")).isEqualTo("l");
  }

  @Test
  void anOverwriteGetsItsOwnTtlAndReadsNeverExtendIt() {
    CaffeineLayer l = defaults();
    l.put("k", "a", secs(10));
    l.put("k", "b", secs(100));
    for (int i = 0; i < 9; i++) {
      ticker.advance(Duration.ofSeconds(10));
      assertThat(l.get("k")).isEqualTo("b");
    }
    ticker.advance(Duration.ofSeconds(11));
    assertThat(l.get("k")).isNull();
  }

  @Test
  void idleExpiryDropsIdleEntriesButNeverExtendsTheTtl() {
    CaffeineLayer l = layer(spec(100, 0, Duration.ofSeconds(10)));
    l.put("idle", "i", secs(100));
    l.put("busy", "b", secs(100));
    for (int i = 0; i < 12; i++) { // read every 8 s for 96 s: never idle for 10 s
      ticker.advance(Duration.ofSeconds(8));
      assertThat(l.get("busy")).isEqualTo("b");
    }
    assertThat(l.get("idle")).isNull();
    assertThat(l.remainingNanos("busy")).isEqualTo(secs(4));
    ticker.advance(Duration.ofSeconds(5)); // 101 s: past the TTL although recently read
    assertThat(l.get("busy")).isNull();
  }

  @Test
  void maxEntriesEvictsAndReportsEvictionsBySize() {
    CaffeineLayer l = layer(spec(10, 0, Duration.ZERO));
    for (int i = 0; i < 50; i++) {
      l.put("k" + i, "v" + i, secs(300));
    }
    l.cleanUp();
    assertThat(l.size()).isLessThanOrEqualTo(10);
    assertThat(evictions(EvictionCause.SIZE)).isEqualTo(40);
    assertThat(l.weight()).isEqualTo(-1);
  }

  @Test
  void expiredEntriesAreReportedAsExpiredEvictions() {
    CaffeineLayer l = defaults();
    l.put("a", "a", secs(1));
    l.put("b", "b", secs(1));
    ticker.advance(Duration.ofSeconds(2));
    l.cleanUp();
    assertThat(evictions(EvictionCause.EXPIRED)).isEqualTo(2);
    assertThat(l.size()).isZero();
  }

  @Test
  void explicitRemovalsAreNotEvictions() {
    CaffeineLayer l = defaults();
    l.put("a", "a", secs(10));
    l.put("a", "b", secs(10));
    assertThat(l.invalidate("a")).isTrue();
    assertThat(l.invalidate("a")).isFalse();
    l.put("c", "c", secs(10));
    l.invalidateAll();
    l.cleanUp();
    assertThat(evicted).isEmpty();
    assertThat(l.size()).isZero();
  }

  @Test
  void maxWeightBoundsByTheWeigher() {
    CaffeineLayer l = layer(spec(10_000, 10_000, Duration.ZERO));
    String kb = "x".repeat(1_000);
    for (int i = 0; i < 100; i++) {
      l.put("k" + i, new Item("i" + i, kb), secs(300));
    }
    l.cleanUp();
    assertThat(l.weight()).isPositive().isLessThanOrEqualTo(10_000);
    assertThat(l.size()).isLessThan(12); // ~1 KB items in 10 KB
    assertThat(evictions(EvictionCause.SIZE)).isGreaterThan(85);
  }

  @Test
  void idleCachesWeighTheValueNotItsWrapper() {
    CaffeineLayer l = layer(spec(10_000, 10_000, Duration.ofSeconds(10)));
    l.put("k", new Item("1", "x".repeat(1_000)), secs(300));
    l.cleanUp();
    assertThat(l.weight()).isEqualTo(EstimatingWeigher.INSTANCE.weigh("k", new Item("1", "x".repeat(1_000))));
    assertThat(l.get("k")).isEqualTo(new Item("1", "x".repeat(1_000)));
  }

  @Test
  void estimatingWeigherGrowsWithTheValue() {
    int small = EstimatingWeigher.INSTANCE.weigh("k", new Item("1", "x"));
    int large = EstimatingWeigher.INSTANCE.weigh("k", new Item("1", "x".repeat(10_000)));
    assertThat(large - small).isBetween(9_000, 11_000);
    assertThat(EstimatingWeigher.INSTANCE.weigh("k", List.of("a".repeat(100), "b".repeat(100))))
        .isBetween(200, 600);
    assertThat(EstimatingWeigher.INSTANCE.weigh("k", new byte[4096])).isBetween(4096, 4200);
  }

  CaffeineLayer timedLayer(Duration idle, LocalLayer.Timing timing) {
    return new CaffeineLayer(spec(10_000, 0, idle), ticker::read, EstimatingWeigher.INSTANCE, Runnable::run,
        cause -> { }, null, timing);
  }

  @Test
  void aLayerWithoutATimingOrWithIdleExpiryWrapsNothing() {
    assertThat(defaults().wrapsWhenDue()).isFalse();
    CaffeineLayer idle = timedLayer(Duration.ofMinutes(1), new LocalLayer.Timing() {
      @Override
      public long dueWithinNanos() {
        return Long.MAX_VALUE;
      }

      @Override
      public LocalLayer.Timed wrap(Object value, long now, long remainingNanos) {
        throw new AssertionError("wrapped " + value);
      }
    });
    assertThat(idle.wrapsWhenDue()).isFalse();
    idle.put("k", "v", Duration.ofSeconds(5).toNanos());
    assertThat(idle.get("k")).isEqualTo("v");
  }

  @Test
  void theCoarseTickerFollowsTheSystemClockWithinMilliseconds() throws InterruptedException {
    long before = System.nanoTime();
    Thread.sleep(20);
    long read = CoarseTicker.INSTANCE.read();
    assertThat(read).isGreaterThan(before); // it moves
    assertThat(System.nanoTime() - read).isLessThan(Duration.ofMillis(200).toNanos()); // and stays close
  }
}
