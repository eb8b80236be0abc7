package hyperion.config;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The {@code service} section: who this process is and how long it may take to stop.
 *
 * @param name the service name ({@code service.name}); used for traces, metrics and cache key prefixes
 * @param version the deployed version ({@code service.version})
 * @param environment the deployment environment ({@code service.environment}), e.g. {@code prod}
 * @param shutdownTimeout the deadline for a graceful stop ({@code service.shutdown_timeout}, default 10s)
 */
public record ServiceConfig(String name, String version, String environment, Duration shutdownTimeout) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  /** The defaults used when the section or a key is missing. */
  public static final ServiceConfig DEFAULTS =
      new ServiceConfig("hyperion-service", "0.0.0", "dev", Duration.ofSeconds(10));

  /** Validates every component; see the class description for the keys. */
  public ServiceConfig {
    ConfigException.Checks checks = ConfigException.checks();
    checks.require(name != null && NAME.matcher(name).matches(), "name", name,
        "1-63 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
    checks.require(version != null && !version.isBlank(), "version", version, "a non-empty string");
    checks.require(environment != null && !environment.isBlank(), "environment", environment,
        "a non-empty string");
    checks.requireMillisTo(shutdownTimeout, Duration.ofMinutes(10), "shutdown_timeout",
        "a duration between 1ms and 10m, e.g. 10s");
    checks.throwIfAny();
  }
}
