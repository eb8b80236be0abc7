package hyperion;

/**
 * A readiness check, contributed with {@code Multibinder.newSetBinder(binder(),
 * HealthCheck.class)}. Each adapter adds its own (Redis PING, trace exporter state); {@code /ready}
 * runs them all with the {@code health.timeout} deadline.
 */
public interface HealthCheck {

  /** The check's name in reports, e.g. {@code redis}. */
  String name();

  /**
   * Runs the check. Throwing, or exceeding the timeout, counts as {@link Result#down(String)} with
   * the exception's message.
   */
  Result check() throws Exception;

  /**
   * The outcome of one check.
   *
   * @param healthy whether the checked dependency is usable
   * @param message a short human-readable detail (never secrets)
   */
  record Result(boolean healthy, String message) {

    /** A healthy result with {@code message}. */
    public static Result up(String message) {
      return new Result(true, message);
    }

    /** An unhealthy result with {@code message}. */
    public static Result down(String message) {
      return new Result(false, message);
    }
  }
}
