package hyperion.micrometer;

import hyperion.Counter;
import hyperion.Histogram;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.cumulative.CumulativeCounter;
import io.micrometer.core.instrument.cumulative.CumulativeDistributionSummary;
import io.micrometer.core.instrument.cumulative.CumulativeTimer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import java.util.concurrent.TimeUnit;

/**
 * The meters that record as they are used: Micrometer keeps its own cumulative view (what {@code
 * count()}, {@code totalTime()} and {@code max()} answer) and every recording also goes to the
 * port's child, so the port's cardinality guard and exemplars apply to it.
 */
final class PortMeters {

  private PortMeters() {}

  /** A counter: each increment also increments the port counter's child. */
  static final class PortCounter extends CumulativeCounter {
    private final Counter.Child child;

    PortCounter(Id id, Counter.Child child) {
      super(id);
      this.child = child;
    }

    @Override
    public void increment(double amount) {
      super.increment(amount);
      child.inc(amount);
    }
  }

  /** A timer: each recording is also a port histogram observation, in seconds. */
  static final class PortTimer extends CumulativeTimer {
    private final Histogram.Child child;

    PortTimer(Id id, Clock clock, DistributionStatisticConfig config, PauseDetector pauseDetector,
        Histogram.Child child) {
      super(id, clock, config, pauseDetector, TimeUnit.SECONDS, false);
      this.child = child;
    }

    @Override
    protected void recordNonNegative(long amount, TimeUnit unit) {
      super.recordNonNegative(amount, unit);
      child.observe(unit.toNanos(amount) / 1e9);
    }
  }

  /** A distribution summary: each (scaled) recording is also a port histogram observation. */
  static final class PortSummary extends CumulativeDistributionSummary {
    private final Histogram.Child child;

    PortSummary(Id id, Clock clock, DistributionStatisticConfig config, double scale, Histogram.Child child) {
      super(id, clock, config, scale, false);
      this.child = child;
    }

    @Override
    protected void recordNonNegative(double amount) {
      super.recordNonNegative(amount);
      child.observe(amount);
    }
  }
}
