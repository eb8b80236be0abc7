package hyperion.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one {@link Health#check()} or {@link Health#check(hyperion.HealthCheck.Group)} run.
 *
 * @param checks every check's result, the {@code lifecycle} check first
 */
public record HealthReport(List<Check> checks) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Copies the list so the record stays immutable. */
  public HealthReport {
    checks = List.copyOf(checks);
  }

  /** Whether every check is healthy. */
  public boolean healthy() {
    return checks.stream().allMatch(Check::healthy);
  }

  /** Renders the report as the JSON body of the health endpoints ({@code /health/ready} and the others). */
  public String toJson() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", healthy() ? "UP" : "DOWN");
    body.put("checks", checks.stream().map(c -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", c.name());
      m.put("status", c.healthy() ? "UP" : "DOWN");
      m.put("message", c.message() == null ? "" : c.message());
      m.put("duration_ms", c.duration().toNanos() / 1e6);
      return m;
    }).toList());
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render health report", e); // maps of strings always render
    }
  }

  /**
   * One check's result.
   *
   * @param name the check's name
   * @param healthy whether it passed
   * @param message its detail
   * @param duration how long it ran
   */
  public record Check(String name, boolean healthy, String message, Duration duration) {}
}
