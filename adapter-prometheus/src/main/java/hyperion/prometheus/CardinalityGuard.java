package hyperion.prometheus;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The label-bound children of one metric, cached, with the cardinality guard: at most {@code
 * metrics.max_series_per_metric} series, the overflow series (every label {@value
 * PrometheusMetrics#OVERFLOW_VALUE}) included; {@value PrometheusMetrics#OVERFLOW_METRIC} counts
 * the folded lookups. The lookup of an
 * existing child is one map read with no copy of the values; creating one is the slow path.
 */
abstract class CardinalityGuard<C> {

  private static final Logger LOG = System.getLogger(PrometheusMetrics.class.getName()); // the adapter's one logger name

  final String name;
  final int labelCount;
  private final PrometheusMetrics owner;
  private final int maxChildren; // the overflow series takes the last slot of the cap
  private final Map<LabelKey, C> children = new ConcurrentHashMap<>();
  private final AtomicBoolean misuseLogged = new AtomicBoolean();
  private final AtomicBoolean overflowLogged = new AtomicBoolean();
  private volatile C overflowChild;
  private volatile CounterDataPoint overflowCount;

  CardinalityGuard(String name, int labelCount, PrometheusMetrics owner) {
    this.name = name;
    this.labelCount = labelCount;
    this.owner = owner;
    this.maxChildren = owner.maxSeriesPerMetric() - 1;
  }

  /** A child over the client's data point for these (sanitised) values. */
  abstract C create(String[] values);

  /** The child that does nothing, for misuse. */
  abstract C noop();

  final C child(String[] values) {
    if (values == null || values.length != labelCount) {
      misuse("labels() got " + (values == null ? "null" : values.length + " values") + ", expected "
          + labelCount + "; returning a child that records nothing");
      return noop();
    }
    C c = children.get(new LabelKey(values));
    return c != null ? c : slowChild(values);
  }

  private C slowChild(String[] raw) {
    String[] values = raw.clone(); // the caller may reuse its array
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        values[i] = "";
      }
    }
    LabelKey key = new LabelKey(values);
    C c = children.get(key);
    if (c != null) {
      return c;
    }
    if (children.size() >= maxChildren) {
      return overflow();
    }
    synchronized (this) {
      c = children.get(key);
      if (c != null) {
        return c;
      }
      if (children.size() >= maxChildren) {
        return overflow();
      }
      c = create(values);
      children.put(key, c);
      return c;
    }
  }

  private C overflow() {
    CounterDataPoint count = overflowCount;
    if (count == null) {
      count = owner.overflowCounter(name); // the client caches it too; this saves its lookup
      overflowCount = count;
    }
    count.inc();
    if (overflowLogged.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, "metric " + name + " reached max_series_per_metric (" + owner.maxSeriesPerMetric()
          + "); new label combinations are folded into the series with every label = \"" + PrometheusMetrics.OVERFLOW_VALUE
          + "\". Check for an unbounded label value (ids, URLs, error messages)");
    }
    C c = overflowChild;
    if (c == null) {
      synchronized (this) {
        c = overflowChild;
        if (c == null) {
          String[] values = new String[labelCount];
          Arrays.fill(values, PrometheusMetrics.OVERFLOW_VALUE);
          c = create(values);
          overflowChild = c;
        }
      }
    }
    return c;
  }

  /** Logs a misuse of this metric once; the hot path degrades instead of throwing. */
  final void misuse(String what) {
    if (misuseLogged.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, "metric " + name + ": " + what + " (logged once per metric)");
    }
  }

  /** A lookup key over an array of label values, compared by content. */
  private static final class LabelKey {
    private final String[] values;
    private final int hash;

    LabelKey(String[] values) {
      this.values = values;
      this.hash = Arrays.hashCode(values);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof LabelKey k && k.hash == hash && Arrays.equals(k.values, values);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
