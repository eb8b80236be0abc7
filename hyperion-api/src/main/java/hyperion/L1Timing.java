package hyperion;

import hyperion.cache.LocalLayer;
import hyperion.config.CacheSpec;
import java.util.concurrent.TimeUnit;

/**
 * When the L1 values of one cache with {@code refresh_after} or {@code stale_if_error} need the
 * tier: due for a background reload, or expired and kept only as a stale fallback. Every value is
 * kept {@code stale_if_error} past its time-to-live. The tier wraps a value in a {@link TimedValue}
 * when it puts it ({@link #timed}), unless the layer wraps values when they fall due ({@link
 * LocalLayer#wrapsWhenDue()}) and the value's times follow from its remaining time-to-live alone
 * ({@link #unwrapped}); the layer then asks for the wrapper ({@link #wrap}) at the first read that
 * finds at most {@link #dueWithinNanos()} left, and a hit before then reads no wrapper.
 *
 * <p>That holds for every value of a cache without {@code refresh_after}: it is expired when
 * {@code stale_if_error} is left. With {@code refresh_after} shorter than {@code default_ttl}, a
 * value written with the default TTL is due for a reload when {@code default_ttl - refresh_after}
 * of its TTL is left, and {@code ttl_jitter} shortens such a TTL by at most {@code ttl_jitter *
 * refresh_after} ({@link #defaultJitterSpan}): its reload falls due at its age {@code refresh_after}
 * less the same cut, and an L2 copy of it kept for its remaining TTL ({@link #followsWriter}) falls
 * due at the same time. Other values (their own TTL, or other copies from L2, with their age) are
 * wrapped when put, and fall due at the age {@code refresh_after}.
 */
final class L1Timing implements LocalLayer.Timing {
  private final long refreshAfterNanos;
  private final long staleNanos;
  /** Whether a value written with the default TTL falls due for a reload before it expires. */
  private final boolean refreshesDefault;
  private final long dueWithinNanos;
  private final long defaultJitterSpan;
  /**
   * The most {@code ttl_jitter} takes off the default TTL: each cut is {@code (long) (span *
   * ttl_jitter * r)} with r &lt; 1.
   */
  private final long maxCutNanos;
  private final long defaultTtlNanos;

  /** The timing of a cache with {@code spec}, which has {@code refresh_after} or {@code stale_if_error}. */
  L1Timing(CacheSpec spec) {
    long defaultTtl = spec.defaultTtl().toNanos();
    this.refreshAfterNanos = spec.refreshAfter().toNanos();
    this.staleNanos = spec.staleIfError().toNanos();
    this.refreshesDefault = refreshAfterNanos > 0 && refreshAfterNanos < defaultTtl;
    this.dueWithinNanos = refreshesDefault ? defaultTtl - refreshAfterNanos + staleNanos : staleNanos;
    this.defaultJitterSpan = refreshesDefault ? refreshAfterNanos : defaultTtl;
    this.maxCutNanos = (long) (defaultJitterSpan * spec.ttlJitter());
    this.defaultTtlNanos = defaultTtl;
  }

  /** The timing of a cache with {@code spec} and an L1, or {@code null} when it has neither setting. */
  static L1Timing of(CacheSpec spec) {
    return spec.layers().usesL1() && (spec.refreshAfter().toNanos() > 0 || spec.staleIfError().toNanos() > 0)
        ? new L1Timing(spec) : null;
  }

  /**
   * The most that {@code ttl_jitter} may take off the default TTL, as a fraction of this: {@code
   * refresh_after} when a value written with the default TTL falls due for a reload (so the cut
   * moves its reload by as much as its expiry, and never before {@code (1 - ttl_jitter) *
   * refresh_after}), else the default TTL.
   */
  long defaultJitterSpan() {
    return defaultJitterSpan;
  }

  /**
   * The youngest age at which a value can fall due for a reload: {@code refresh_after} less the
   * largest cut {@code ttl_jitter} may take ({@link #defaultJitterSpan}). An L2 value younger than
   * this was written after any value being reloaded, by another instance's reload or a write.
   */
  long earliestDueAgeNanos() {
    return refreshesDefault ? refreshAfterNanos - maxCutNanos : refreshAfterNanos;
  }

  /**
   * Whether a value may be put as it is into a layer that wraps values when due: every value of a
   * cache without {@code refresh_after}, else one whose TTL is what is left of a default one ({@code
   * byRemaining}: written here with it, or an L2 copy that {@link #followsWriter}).
   */
  boolean unwrapped(boolean byRemaining) {
    return refreshAfterNanos == 0 || byRemaining;
  }

  /**
   * Whether an L2 copy of a value whose whole TTL was {@code ttlMillis} (by its header) may be put as
   * it is, for its remaining TTL: in a cache whose default-TTL values fall due for a reload by their
   * remaining time, when that TTL is the default one less a cut {@code ttl_jitter} may take. The copy
   * then falls due when the writer's copy does, at its age {@code refresh_after} less that cut.
   */
  boolean followsWriter(long ttlMillis) {
    long cut = defaultTtlNanos - TimeUnit.MILLISECONDS.toNanos(ttlMillis);
    // the header's TTL is whole milliseconds, rounded down
    return refreshesDefault && cut >= 0 && cut <= maxCutNanos + TimeUnit.MILLISECONDS.toNanos(1);
  }

  /**
   * The wrapper the tier puts for {@code value}, written at {@code now} for {@code ttlNanos}, {@code
   * ageNanos} old. With {@code byRemaining} ({@code ttlNanos} is what is left of a default TTL) its
   * times are those {@link #wrap} gives when a layer wraps it later, so a value falls due at the same
   * time whether it is wrapped when written or when due; else it is due at the age {@code
   * refresh_after}.
   */
  TimedValue timed(Object value, long now, long ttlNanos, long ageNanos, boolean byRemaining) {
    if (byRemaining) {
      return wrap(value, now, ttlNanos + staleNanos);
    }
    long refreshAt = now + Math.max(0, refreshAfterNanos - ageNanos);
    return new TimedValue(value, refreshAt, now + ttlNanos, refreshAfterNanos != 0);
  }

  @Override
  public long dueWithinNanos() {
    return dueWithinNanos;
  }

  @Override
  public TimedValue wrap(Object value, long now, long remainingNanos) {
    if (value == TieredCache.NEGATIVE) {
      return null;
    }
    long expiresAt = now + remainingNanos - staleNanos;
    TimedValue t = new TimedValue(value, expiresAt - (dueWithinNanos - staleNanos), expiresAt, refreshesDefault);
    t.read(now);
    return t;
  }

  @Override
  public String toString() {
    return "L1Timing[refreshAfter=" + refreshAfterNanos + "ns, stale=" + staleNanos + "ns]";
  }
}
