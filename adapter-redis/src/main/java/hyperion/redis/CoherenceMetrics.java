package hyperion.redis;

import hyperion.Counter;
import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.Metrics;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Locale;

/**
 * The metrics of L1 coherence, whichever {@link RedisConfig.Coherence} mode carries the
 * invalidations: what was received, applied and replayed, how late it arrived, how often L1 was
 * cleared whole, and whether the bus is up. Every family has the {@code mode} label ({@code pubsub}
 * or {@code tracking}) so a dashboard tells the modes apart.
 */
@Singleton
final class CoherenceMetrics {
  /** Lag buckets in seconds: delivery is normally sub-millisecond on a LAN, seconds in trouble. */
  private static final double[] LAG_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
      0.5, 1, 2.5, 5, 10};

  private final Counter.Child received;
  private final Counter.Child applied;
  private final Counter.Child replayed;
  private final Counter clears;
  private final Histogram.Child lag;
  private final Gauge.Child up;
  private final String mode;
  private volatile boolean isUp;

  /** The {@code reason} values of {@code hyperion_redis_l1_clears_total} in pubsub mode, exposed from the start at 0. */
  static final java.util.List<String> PUBSUB_CLEAR_REASONS = java.util.List.of("timeout", "stream_gap",
      "replay_failed", "no_stream");
  /** The {@code reason} values in tracking mode, exposed from the start at 0. */
  static final java.util.List<String> TRACKING_CLEAR_REASONS = java.util.List.of("timeout", "reconnect", "flush");

  @Inject
  CoherenceMetrics(Metrics metrics, RedisConfig config) {
    this.mode = config.coherence().name().toLowerCase(Locale.ROOT);
    this.received = metrics.counter("hyperion_redis_invalidations_received_total",
        "Invalidation messages received from Redis (one per message, however many keys it names)", "mode")
        .labels(mode);
    this.applied = metrics.counter("hyperion_redis_invalidations_applied_total",
        "Keys (or whole caches) dropped from L1 because of an invalidation, replayed ones included", "mode")
        .labels(mode);
    this.replayed = metrics.counter("hyperion_redis_invalidations_replayed_total",
        "Invalidations read back from the stream after a reconnect instead of clearing L1", "mode")
        .labels(mode);
    this.clears = metrics.counter("hyperion_redis_l1_clears_total",
        "Times every L1 cache was cleared because invalidations may have been missed, by reason", "mode",
        "reason");
    this.lag = metrics.histogram("hyperion_redis_invalidation_lag_seconds",
        "Time from publishing an invalidation to applying it on this instance", LAG_BUCKETS, "mode")
        .labels(mode);
    this.up = metrics.gauge("hyperion_redis_invalidation_bus_up",
        "1 while the invalidation bus is connected, answering within coherence_timeout and caught up, else 0", "mode").labels(mode);
    up.set(0);
    for (String reason : config.coherence() == RedisConfig.Coherence.TRACKING ? TRACKING_CLEAR_REASONS
        : PUBSUB_CLEAR_REASONS) {
      clears.labels(mode, reason); // a series at 0, so rate() and alerts see the first clear
    }
  }

  /** The {@code mode} label value of this instance. */
  String mode() {
    return mode;
  }

  /** One invalidation message arrived. */
  void received() {
    received.inc();
  }

  /** {@code count} keys (or whole caches) were dropped from L1. */
  void applied(int count) {
    applied.inc(count);
  }

  /** {@code count} invalidations were replayed from the stream. */
  void replayed(int count) {
    replayed.inc(count);
  }

  /** Every L1 cache was cleared; {@code reason} is one of the mode's {@code *_CLEAR_REASONS} (never user input). */
  void cleared(String reason) {
    clears.labels(mode, reason).inc();
  }

  /** An invalidation published {@code seconds} ago was applied. */
  void lag(double seconds) {
    lag.observe(Math.max(0, seconds));
  }

  /** The bus went up ({@code true}) or down. */
  void up(boolean isUp) {
    this.isUp = isUp;
    up.set(isUp ? 1 : 0);
  }

  /** Whether the bus is up: connected, answering within {@code coherence_timeout}, caught up. */
  boolean isUp() {
    return isUp;
  }
}
