package hyperion;

/** A value that goes up and down. Declare it once with {@link Metrics#gauge}. */
public interface Gauge {

  /** Sets the unlabelled series. */
  void set(double value);

  /** Adds one to the unlabelled series. */
  void inc();

  /** Subtracts one from the unlabelled series. */
  void dec();

  /** The child bound to these label values (same rules as {@link Counter#labels}). */
  Child labels(String... labelValues);

  /** A gauge bound to one set of label values. */
  interface Child {
    /** Sets the value. */
    void set(double value);

    /** Adds {@code amount} (may be negative). */
    void add(double amount);

    /** Adds one. */
    default void inc() {
      add(1);
    }

    /** Subtracts one. */
    default void dec() {
      add(-1);
    }
  }
}
