package hyperion.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import hyperion.cache.LocalLayer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What the tier needs of every {@link LocalLayer}: values kept for their own time-to-live on the
 * layer's clock, and a {@code get} that tells a {@link LocalLayer.Timed} value when it falls due
 * and reports the keys it finds to the layer's {@link LocalLayer.Hits}. The tier's hit reads no
 * clock and samples no key itself, so a layer that skipped either would serve due values as fresh
 * and hide its hits from {@code hot_keys}. A layer that {@linkplain LocalLayer#wrapsWhenDue() wraps
 * values when due} must also wrap a value at the first read that finds it due, and keep the wrapper
 * in its place. Subclass it and implement {@link #newLayer} on {@link #ticker}.
 */
public abstract class LocalLayerContract {

  /** The clock the layers under test must expire by and report. */
  protected final FakeTicker ticker = new FakeTicker();

  /** Every key the layers reported as a hit, with the time reported. */
  private final List<String> hits = new CopyOnWriteArrayList<>();
  private final List<Long> hitTimes = new CopyOnWriteArrayList<>();

  /** A new, empty layer of a few thousand entries on {@link #ticker}, reporting to {@code hits} ({@code null}: none). */
  protected abstract LocalLayer newLayer(LocalLayer.Hits hits);

  /**
   * {@link #newLayer(LocalLayer.Hits)}, created with {@code timing}. The default ignores it: a
   * layer that does not {@linkplain LocalLayer#wrapsWhenDue() wrap values when due} skips those checks.
   */
  protected LocalLayer newLayer(LocalLayer.Hits hits, LocalLayer.Timing timing) {
    return newLayer(hits);
  }

  private LocalLayer reporting() {
    return newLayer((key, now) -> {
      hits.add(key);
      hitTimes.add(now);
    });
  }

  /** A time-stamped value that tells whether a read has marked it due. */
  static final class Due extends LocalLayer.Timed {
    Due(Object value, long dueAt) {
      super(value, dueAt);
    }

    boolean isDue() {
      return due();
    }
  }

  private static long secs(long s) {
    return Duration.ofSeconds(s).toNanos();
  }

  @Test
  void theLayersClockIsTheOneItExpiresBy() {
    LocalLayer layer = newLayer(null);
    long start = layer.nanoTime();
    layer.put("k", "v", secs(10));
    ticker.advance(Duration.ofSeconds(9));
    assertThat(layer.nanoTime() - start).isEqualTo(secs(9));
    assertThat(layer.get("k")).isEqualTo("v");
    ticker.advance(Duration.ofSeconds(1));
    assertThat(layer.get("k")).isNull();
  }

  @Test
  void aGetMarksATimedValueDueFromItsDueTimeOnAndStillReturnsIt() {
    LocalLayer layer = newLayer(null);
    Due v = new Due("v", layer.nanoTime() + secs(10));
    layer.put("k", v, secs(100));
    ticker.advance(Duration.ofSeconds(9));
    assertThat(layer.get("k")).isSameAs(v);
    assertThat(v.isDue()).isFalse();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(v.isDue()).as("only a read marks it").isFalse();
    assertThat(layer.get("k")).isSameAs(v);
    assertThat(v.isDue()).isTrue();
  }

  @Test
  void aGetReportsTheKeyItFindsAndNothingElseDoes() {
    LocalLayer layer = reporting();
    layer.put("k", "v", secs(10));
    ticker.advance(Duration.ofSeconds(3));
    assertThat(layer.get("k")).isEqualTo("v");
    assertThat(layer.get("absent")).isNull();
    assertThat(layer.remainingNanos("k")).isEqualTo(secs(7));
    layer.put("k", "w", secs(10));
    assertThat(layer.invalidate("k")).isTrue();
    assertThat(layer.get("k")).as("removed").isNull();
    assertThat(hits).containsExactly("k");
    assertThat(hitTimes).as("the layer's clock at the get").containsExactly(ticker.read());
  }

  @Test
  void aLayerWithoutHitsReportsNothing() {
    LocalLayer layer = newLayer(null);
    layer.put("k", "v", secs(10));
    assertThat(layer.get("k")).isEqualTo("v");
    assertThat(hits).isEmpty();
  }

  /** A timing like the tier's: wraps every value but {@link #UNTIMED}, records each wrap. */
  private static final class RecordingTiming implements LocalLayer.Timing {
    static final Object UNTIMED = new Object();
    final long dueWithin;
    final List<long[]> wraps = new CopyOnWriteArrayList<>();

    RecordingTiming(Duration dueWithin) {
      this.dueWithin = dueWithin.toNanos();
    }

    @Override
    public long dueWithinNanos() {
      return dueWithin;
    }

    @Override
    public LocalLayer.Timed wrap(Object value, long now, long remainingNanos) {
      wraps.add(new long[] {now, remainingNanos});
      if (value == UNTIMED) {
        return null;
      }
      Due t = new Due(value, now);
      t.read(now);
      return t;
    }
  }

  @Test
  void withATimingAValueStaysUnwrappedUntilAReadFindsItDueThenItsWrapperTakesItsPlace() {
    RecordingTiming timing = new RecordingTiming(Duration.ofSeconds(10));
    LocalLayer layer = newLayer(null, timing);
    assumeTrue(layer.wrapsWhenDue(), "the layer does not wrap values when due");
    List<String> item = List.of("x");
    layer.put("k", item, Duration.ofSeconds(60).toNanos());

    ticker.advance(Duration.ofSeconds(50).minusNanos(1));
    assertThat(layer.get("k")).isSameAs(item); // 10 s + 1 ns left: not due
    assertThat(timing.wraps).isEmpty();

    ticker.advance(Duration.ofNanos(1));
    Object due = layer.get("k"); // exactly 10 s left: due
    assertThat(due).isInstanceOf(LocalLayer.Timed.class);
    assertThat(((LocalLayer.Timed) due).value()).isSameAs(item);
    assertThat(timing.wraps).hasSize(1);
    assertThat(timing.wraps.get(0)).containsExactly(ticker.read(), Duration.ofSeconds(10).toNanos());

    ticker.advance(Duration.ofSeconds(1));
    assertThat(layer.get("k")).isSameAs(due); // the wrapper is in place: no second wrap
    assertThat(timing.wraps).hasSize(1);
    assertThat(layer.remainingNanos("k")).isEqualTo(Duration.ofSeconds(9).toNanos()); // its TTL is unchanged

    layer.put("k", item, Duration.ofSeconds(60).toNanos()); // a write puts the value back as it is
    assertThat(layer.get("k")).isSameAs(item);
  }

  @Test
  void aValueTheTimingDoesNotWrapStaysAsItIsAndEveryOtherKeyReadsAsBefore() {
    RecordingTiming timing = new RecordingTiming(Duration.ofSeconds(10));
    LocalLayer layer = newLayer(null, timing);
    assumeTrue(layer.wrapsWhenDue(), "the layer does not wrap values when due");
    layer.put("negative", RecordingTiming.UNTIMED, Duration.ofSeconds(5).toNanos());
    layer.put("other", "v", Duration.ofSeconds(60).toNanos());
    assertThat(layer.get("negative")).isSameAs(RecordingTiming.UNTIMED);
    assertThat(timing.wraps).hasSize(1);
    assertThat(layer.get("other")).isEqualTo("v"); // no hand-over from the read before is left behind
    assertThat(layer.get("negative")).isSameAs(RecordingTiming.UNTIMED);
  }
}
