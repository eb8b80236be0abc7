package hyperion.config;

import java.time.Duration;

/**
 * The {@code health} section.
 *
 * @param timeout how long one health check may run before it counts as failed ({@code health.timeout}, default 2s)
 */
public record HealthConfig(Duration timeout) {

  /** The defaults used when the section or a key is missing. */
  public static final HealthConfig DEFAULTS = new HealthConfig(Duration.ofSeconds(2));

  /** Validates the timeout. */
  public HealthConfig {
    ConfigException.Checks checks = ConfigException.checks();
    checks.require(timeout != null && !timeout.isNegative() && !timeout.isZero()
        && timeout.compareTo(Duration.ofMinutes(1)) <= 0, "timeout", timeout, "a duration between 1ms and 1m");
    checks.throwIfAny();
  }
}
