package hyperion.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.NamingConvention;
import java.util.regex.Pattern;

/**
 * Micrometer's dotted names as Prometheus names: snake_case, only {@code [a-zA-Z0-9_:]}, the base
 * unit appended ({@code _seconds} for timers, {@code _bytes} for a gauge in bytes), counters ending
 * in {@code _total}: {@code hikaricp.connections.acquire} (timer) becomes {@code
 * hikaricp_connections_acquire_seconds}, {@code lettuce.command.completion} {@code
 * lettuce_command_completion_seconds}.
 */
final class PrometheusNaming implements NamingConvention {

  private static final Pattern INVALID_NAME = Pattern.compile("[^a-zA-Z0-9_:]");
  private static final Pattern INVALID_LABEL = Pattern.compile("[^a-zA-Z0-9_]");

  @Override
  public String name(String name, Meter.Type type, String baseUnit) {
    String n = sanitize(NamingConvention.snakeCase.name(name, type, baseUnit), INVALID_NAME);
    String unit = switch (type) {
      case TIMER, LONG_TASK_TIMER -> "seconds";
      default -> baseUnit == null || baseUnit.isBlank() ? null : sanitize(baseUnit.toLowerCase(java.util.Locale.ROOT),
          INVALID_LABEL);
    };
    if (type == Meter.Type.COUNTER) {
      if (n.endsWith("_total")) {
        n = n.substring(0, n.length() - "_total".length());
      }
      return withUnit(n, unit) + "_total";
    }
    return withUnit(n, unit);
  }

  @Override
  public String tagKey(String key) {
    String k = sanitize(NamingConvention.snakeCase.tagKey(key), INVALID_LABEL);
    return k.startsWith("__") ? "m" + k : k; // names starting with __ are reserved for Prometheus
  }

  private static String withUnit(String name, String unit) {
    return unit == null || name.endsWith("_" + unit) ? name : name + "_" + unit;
  }

  private static String sanitize(String s, Pattern invalid) {
    String out = invalid.matcher(s).replaceAll("_");
    return out.isEmpty() || Character.isDigit(out.charAt(0)) ? "m_" + out : out;
  }
}
