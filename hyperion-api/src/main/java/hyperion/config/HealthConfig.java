package hyperion.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code health} section.
 *
 * @param timeout how long one health check may run before it counts as failed ({@code health.timeout}, default 2s)
 * @param groups per check name, the probe groups ({@code live}, {@code ready}, {@code started}) it
 *     belongs to instead of the ones it declares ({@code health.groups.<check>}, default none: every
 *     check keeps its own); an empty list takes the check out of every probe
 */
public record HealthConfig(Duration timeout, Map<String, List<String>> groups) {

  /** The group names a {@code health.groups} entry may list. */
  public static final List<String> GROUP_NAMES = List.of("live", "ready", "started");

  /** The defaults used when the section or a key is missing. */
  public static final HealthConfig DEFAULTS = new HealthConfig(Duration.ofSeconds(2), Map.of());

  /** Validates the timeout and the group names. */
  public HealthConfig {
    ConfigException.Checks checks = ConfigException.checks();
    checks.requireMillisTo(timeout, Duration.ofMinutes(1), "timeout", "a duration between 1ms and 1m");
    Map<String, List<String>> copy = new LinkedHashMap<>();
    if (groups != null) {
      groups.forEach((check, names) -> {
        checks.require(names != null && names.stream().allMatch(GROUP_NAMES::contains),
            "groups." + check, names, "a list of " + String.join(", ", GROUP_NAMES) + " (or [] for none)");
        copy.put(check, List.copyOf(names));
      });
    }
    groups = Map.copyOf(copy);
    checks.throwIfAny();
  }
}
