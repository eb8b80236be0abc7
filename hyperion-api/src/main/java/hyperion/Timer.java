package hyperion;

/**
 * A running measurement started by {@link Histogram#startTimer()}; {@link #close()} records the
 * elapsed time in seconds exactly once.
 */
public interface Timer extends AutoCloseable {

  /** Records the elapsed seconds (only the first call records) and returns them. */
  double observeDuration();

  /** Same as {@link #observeDuration()}; never throws. */
  @Override
  default void close() {
    observeDuration();
  }
}
