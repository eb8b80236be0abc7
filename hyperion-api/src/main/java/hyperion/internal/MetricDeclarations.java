package hyperion.internal;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The declaration rules of the {@code Metrics} port, shared by every implementation so that a
 * declaration fails the same way whichever backend is bound: names and label names are checked,
 * a name is declared once, and declaring it again with the same type and label names returns the
 * first instrument while another type or other label names throw {@link IllegalArgumentException}
 * naming the metric.
 */
public final class MetricDeclarations {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private record Declaration(String type, List<String> labels, Object instrument) {}

  private final Map<String, Declaration> declared = new ConcurrentHashMap<>();

  /** An empty set of declarations. */
  public MetricDeclarations() {}

  /**
   * The instrument declared as {@code name}, creating it with {@code create} the first time.
   *
   * @param type {@code counter}, {@code histogram} or {@code gauge}
   * @throws IllegalArgumentException for an invalid name or label name, a conflicting declaration,
   *     or an {@code IllegalArgumentException}/{@code IllegalStateException} of {@code create} (the
   *     backend refused it)
   */
  public Object declare(String type, String name, String[] labelNames, Supplier<Object> create) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid metric name '" + name + "': must match " + NAME);
    }
    if (labelNames == null) {
      throw new IllegalArgumentException("metric " + name + ": label names must not be null");
    }
    for (String l : labelNames) {
      if (l == null || !LABEL.matcher(l).matches() || l.startsWith("__")) {
        throw new IllegalArgumentException("metric " + name + ": invalid label name '" + l + "': must match "
            + LABEL + " and not start with __");
      }
    }
    if (new HashSet<>(Arrays.asList(labelNames)).size() != labelNames.length) {
      throw new IllegalArgumentException("metric " + name + ": duplicate label names " + Arrays.toString(labelNames));
    }
    List<String> labels = List.of(labelNames);
    Declaration d = declared.get(name);
    if (d == null) {
      try {
        d = declared.computeIfAbsent(name, n -> new Declaration(type, labels, create.get()));
      } catch (IllegalArgumentException | IllegalStateException e) {
        // The backend refused it (a reserved label such as "le", a name clash in its registry):
        // same contract as a conflicting declaration.
        throw new IllegalArgumentException("metric " + name + " cannot be registered: " + e.getMessage(), e);
      }
    }
    if (!d.type.equals(type) || !d.labels.equals(labels)) {
      throw new IllegalArgumentException("metric " + name + " is already declared as " + d.type + " with labels "
          + d.labels + "; cannot declare it as " + type + " with labels " + labels);
    }
    return d.instrument;
  }

  /**
   * A copy of {@code buckets} after checking they are strictly increasing and not NaN.
   *
   * @throws IllegalArgumentException naming histogram {@code name} otherwise
   */
  public static double[] checkBuckets(String name, double[] buckets) {
    if (buckets == null) {
      throw new IllegalArgumentException("histogram " + name + ": buckets must not be null");
    }
    for (int i = 0; i < buckets.length; i++) {
      if (Double.isNaN(buckets[i]) || (i > 0 && !(buckets[i] > buckets[i - 1]))) {
        throw new IllegalArgumentException("histogram " + name + ": buckets must be strictly increasing, got "
            + Arrays.toString(buckets));
      }
    }
    return buckets.clone();
  }

  /** The label names {@code name} was declared with, or {@code null}. */
  public List<String> labelNames(String name) {
    Declaration d = declared.get(name);
    return d == null ? null : d.labels;
  }

  /** How many metrics are declared. */
  public int size() {
    return declared.size();
  }
}
