package hyperion.caffeine;

import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.locks.LockSupport;

/**
 * The default clock of the L1 layers: {@link System#nanoTime()} read by one daemon thread about
 * every millisecond, so a cache hit reads a volatile field instead of the system clock. Expiry is
 * then exact to about a millisecond (more if the machine is so overloaded that the thread is not
 * scheduled), which is far below any useful time-to-live. One thread serves every cache in the JVM.
 */
final class CoarseTicker implements Ticker {
  static final CoarseTicker INSTANCE = new CoarseTicker(1_000_000);

  private volatile long now = System.nanoTime();

  private CoarseTicker(long periodNanos) {
    Thread t = new Thread(() -> {
      while (true) {
        LockSupport.parkNanos(periodNanos);
        now = System.nanoTime();
      }
    }, "hyperion-coarse-ticker");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public long read() {
    return now;
  }

  @Override
  public String toString() {
    return "CoarseTicker[1ms]";
  }
}
