package hyperion;

/**
 * A monotonically increasing count. Declare it once with {@link Metrics#counter}; bind label
 * values once with {@link #labels(String...)} and keep the child for the hot path:
 *
 * <pre>{@code
 * Counter requests = metrics.counter("hyperion_http_requests_total", "HTTP requests", "route", "status");
 * Counter.Child ok = requests.labels("/users", "200");   // cached by the implementation
 * ok.inc();                                               // no allocation, never throws
 * }</pre>
 */
public interface Counter {

  /** Increments the unlabelled series by one. Ignored (logged once) when the counter has labels. */
  void inc();

  /** Increments the unlabelled series; negative amounts are ignored. */
  void inc(double amount);

  /**
   * The child bound to these label values, in the order the label names were declared. The same
   * child is returned for equal values. A wrong number of values yields a child that does nothing
   * (and is logged once), never an exception.
   */
  Child labels(String... labelValues);

  /** A counter bound to one set of label values. */
  interface Child {
    /** Increments by one. */
    void inc();

    /** Increments by {@code amount}; negative amounts are ignored. */
    void inc(double amount);
  }
}
