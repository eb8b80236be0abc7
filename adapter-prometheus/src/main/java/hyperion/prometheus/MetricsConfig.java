package hyperion.prometheus;

import hyperion.admin.AdminEndpoint;
import hyperion.config.ConfigException;
import hyperion.config.ConfigSection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code metrics} section, read when {@link PrometheusModule} is installed. Every key is
 * optional; see {@code docs/configuration.md} for the table.
 *
 * @param enabled {@code false} keeps the instruments working in memory but exposes nothing: no
 *     scrape endpoint (the admin server answers 404 there), no JVM metrics, no exemplar hook
 * @param path path of the scrape endpoint on the admin server (default {@code /metrics}; the
 *     server's address is the {@code admin} section)
 * @param namespace prefix, joined with {@code _}, for every metric declared through the port
 *     (default empty: name services with Prometheus target labels instead)
 * @param collectRuntime export the JVM metrics of {@code prometheus-metrics-instrumentation-jvm}
 * @param maxSeriesPerMetric series one labelled metric may have, the overflow series included
 *     (default 2000, as the OpenTelemetry SDK)
 * @param histogramBuckets classic bucket upper bounds for histograms declared without explicit
 *     buckets (default the Prometheus defaults, 5 ms to 10 s)
 * @param nativeHistograms also keep native (sparse) histograms, exposed in the protobuf format
 * @param exemplars attach the current sampled span's ids to counter and histogram observations
 * @param simpleclientBridge export collectors registered with the legacy simpleclient {@code
 *     CollectorRegistry.defaultRegistry}
 */
public record MetricsConfig(
    boolean enabled,
    String path,
    String namespace,
    boolean collectRuntime,
    int maxSeriesPerMetric,
    List<Double> histogramBuckets,
    boolean nativeHistograms,
    boolean exemplars,
    boolean simpleclientBridge) {

  // Declared before DEFAULTS: its constructor uses them during class initialisation.
  private static final Pattern NAMESPACE = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)?");

  /** The Prometheus client's default classic buckets, in seconds. */
  static final List<Double> DEFAULT_BUCKETS =
      List.of(.005, .01, .025, .05, .1, .25, .5, 1.0, 2.5, 5.0, 10.0);

  /** The defaults used when the section or a key is missing. */
  public static final MetricsConfig DEFAULTS = new MetricsConfig(true, "/metrics", "", true,
      2000, DEFAULT_BUCKETS, false, true, true);

  /** The {@code metrics} section: its name, this record and {@link #DEFAULTS}. */
  public static final ConfigSection<MetricsConfig> SECTION = new ConfigSection<>("metrics", MetricsConfig.class,
      DEFAULTS);

  /** Validates every key; the message names the key, the value and what is allowed. */
  public MetricsConfig {
    ConfigException.Checks checks = ConfigException.checks();
    // /cache/hotkeys is the core admin server's own endpoint: refused here rather than at start.
    checks.require(AdminEndpoint.isAllowed(path) && !"/cache/hotkeys".equals(path), "path", path,
        "an absolute URL path such as /metrics, other than /, /ready, /health... and /cache/hotkeys");
    checks.require(namespace != null && NAMESPACE.matcher(namespace).matches(), "namespace", namespace,
        "empty or [a-zA-Z_][a-zA-Z0-9_]*");
    checks.require(maxSeriesPerMetric >= 2 && maxSeriesPerMetric <= 1_000_000, "max_series_per_metric",
        maxSeriesPerMetric, "a whole number between 2 and 1000000");
    histogramBuckets = checks.require(validBuckets(histogramBuckets), "histogram_buckets", histogramBuckets,
        "a non-empty list of finite, strictly increasing numbers") ? List.copyOf(histogramBuckets) : List.of();
    checks.throwIfAny();
  }

  private static boolean validBuckets(List<Double> buckets) {
    if (buckets == null || buckets.isEmpty()) {
      return false;
    }
    double previous = Double.NEGATIVE_INFINITY;
    for (Double b : buckets) {
      if (b == null || !Double.isFinite(b) || !(b > previous)) {
        return false;
      }
      previous = b;
    }
    return true;
  }

  /** The histogram buckets as an array, for the client's builder. */
  double[] bucketArray() {
    return histogramBuckets.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
