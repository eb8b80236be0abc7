package hyperion;

/**
 * A distribution of observed values, usually durations in seconds. Declare it once with {@link
 * Metrics#histogram}; bind label values once with {@link #labels(String...)}.
 */
public interface Histogram {

  /** Records a value in the unlabelled series. */
  void observe(double value);

  /** Starts a timer on the unlabelled series; closing it observes the elapsed seconds. */
  Timer startTimer();

  /** The child bound to these label values (same rules as {@link Counter#labels}). */
  Child labels(String... labelValues);

  /** A histogram bound to one set of label values. */
  interface Child {
    /** Records a value. */
    void observe(double value);

    /** Starts a timer; closing it observes the elapsed seconds. */
    Timer startTimer();
  }
}
