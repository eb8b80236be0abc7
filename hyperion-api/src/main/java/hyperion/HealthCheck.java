package hyperion;

import java.util.Locale;
import java.util.Set;

/**
 * A health check, contributed with {@code Multibinder.newSetBinder(binder(), HealthCheck.class)}.
 * Each adapter adds its own (Redis PING, trace exporter state). A check belongs to the probe groups
 * it declares ({@link #groups()}, readiness by default), which {@code health.groups.<name>} can
 * override; each group's endpoint ({@code /health/live}, {@code /health/ready}, {@code
 * /health/started}) runs its checks with the {@code health.timeout} deadline.
 */
public interface HealthCheck {

  /** The probe groups: which endpoint (and so which Kubernetes probe) runs a check. */
  enum Group {
    /** {@code /health/live}: failing restarts the process; only for states a restart cures. */
    LIVE,
    /** {@code /health/ready}: failing takes the instance out of load balancing until it passes. */
    READY,
    /** {@code /health/started}: passes once start-up finished; probed only until it passed. */
    STARTED;

    /** The name in configuration and URLs: {@code live}, {@code ready}, {@code started}. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The group named {@code key} ({@code live}, {@code ready}, {@code started}), or {@code null}. */
    public static Group of(String key) {
      for (Group g : values()) {
        if (g.key().equals(key)) {
          return g;
        }
      }
      return null;
    }
  }

  /** The check's name in reports, e.g. {@code redis}. */
  String name();

  /**
   * The groups this check belongs to unless {@code health.groups.<name>} says otherwise: {@link
   * Group#READY} by default. A check of a dependency the instance cannot serve without belongs in
   * readiness; one whose failure costs only telemetry (a trace backend) in none, so that an outage
   * of it never pulls every instance out of rotation.
   */
  default Set<Group> groups() {
    return Set.of(Group.READY);
  }

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
