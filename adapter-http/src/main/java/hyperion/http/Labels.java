package hyperion.http;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Label values with a bounded set: known HTTP methods, status classes, and a capped set of routes
 * or peers, so a client sending odd methods or an application naming routes after raw paths cannot
 * grow the number of series without bound.
 */
final class Labels {

  /** The methods of RFC 9110 and RFC 5789 (PATCH); anything else is {@value #OTHER_METHOD}. */
  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  /** What the OpenTelemetry conventions call a method outside the known set. */
  static final String OTHER_METHOD = "_OTHER";
  private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

  private final int max;
  private final String overflow;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  /** A set that keeps the first {@code max} distinct values and maps later ones to {@code overflow}. */
  Labels(int max, String overflow) {
    this.max = max;
    this.overflow = overflow;
  }

  /** {@code value} if it is one of the first {@code max} distinct values seen, else the overflow value. */
  String bounded(String value) {
    if (seen.contains(value)) {
      return value;
    }
    if (seen.size() >= max) {
      return overflow;
    }
    seen.add(value); // a race may admit a few more than max: the bound stays small and fixed
    return value;
  }

  /** The method as the OpenTelemetry conventions report it: upper-case if known, else {@value #OTHER_METHOD}. */
  static String method(String method) {
    if (method == null) {
      return OTHER_METHOD;
    }
    if (METHODS.contains(method)) {
      return method;
    }
    String upper = method.toUpperCase(Locale.ROOT);
    return METHODS.contains(upper) ? upper : OTHER_METHOD;
  }

  /** {@code 2xx} for 200-299 and so on; {@code error} outside 100-599 (including no response). */
  static String statusClass(int status) {
    return status >= 100 && status < 600 ? CLASSES[status / 100 - 1] : "error";
  }
}
