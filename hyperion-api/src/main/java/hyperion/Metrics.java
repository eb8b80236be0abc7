package hyperion;

import java.util.function.DoubleSupplier;

/**
 * The metrics port. Instruments are declared once, with a name, a help text and label names, and
 * are safe to share across threads.
 *
 * <p>Declaring an existing name again with the same type and label names returns the existing
 * instrument; a conflicting declaration (other type or other label names) throws {@link
 * IllegalArgumentException} naming the metric — that is a programming error found at start-up.
 * Names follow Prometheus rules: {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, base units ({@code _seconds},
 * {@code _bytes}) and {@code _total} for counters.
 *
 * <p>Bound by default to a no-op implementation; {@code hyperion.prometheus.PrometheusModule}
 * replaces it.
 */
public interface Metrics {

  /**
   * The value of a {@code result} label for an operation that completed. Every framework metric
   * that tells operations apart by how they ended uses the label {@code result} with this value or
   * {@link #ERROR} (cache lookups add {@code hit} and {@code miss}); there is no {@code ok}, {@code
   * failure} or {@code outcome}.
   */
  String SUCCESS = "success";

  /** The value of a {@code result} label for an operation that failed (threw, timed out, was refused). */
  String ERROR = "error";

  /** Declares (or returns the existing) counter. */
  Counter counter(String name, String help, String... labelNames);

  /** Declares (or returns the existing) histogram with the default buckets (the Prometheus
   * defaults, 5 ms to 10 s, suited to durations in seconds). */
  Histogram histogram(String name, String help, String... labelNames);

  /**
   * Declares (or returns the existing) histogram with explicit classic bucket upper bounds, which
   * must be strictly increasing.
   */
  Histogram histogram(String name, String help, double[] buckets, String... labelNames);

  /** Declares (or returns the existing) gauge that is set explicitly. */
  Gauge gauge(String name, String help, String... labelNames);

  /**
   * Declares an unlabelled gauge whose value is read from {@code value} at collection time. The
   * supplier must be cheap and must not block; an exception it throws is logged and the sample
   * skipped. Declaring the same name again replaces nothing and is ignored.
   */
  void gauge(String name, String help, DoubleSupplier value);

}
