package hyperion.testkit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A monotonic nanosecond clock that only moves when a test says so, for expiry and cool-down tests
 * without sleeps. Pass it where a {@code LongSupplier} clock is taken, or adapt it ({@code
 * ticker::read}) to a library's ticker interface.
 */
public final class FakeTicker implements LongSupplier {
  // Starts far from zero so code that treats 0 specially is not accidentally exercised.
  private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

  /** The current time in nanoseconds. */
  public long read() {
    return nanos.get();
  }

  @Override
  public long getAsLong() {
    return nanos.get();
  }

  /** Moves the clock forward by {@code d}. */
  public void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }
}
