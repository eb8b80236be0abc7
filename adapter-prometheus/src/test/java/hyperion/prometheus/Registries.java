package hyperion.prometheus;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/** Reads recorded values back from a registry, by port-level metric name and label values. */
final class Registries {

  private Registries() {}

  static OptionalDouble counter(PrometheusRegistry registry, String name, List<String> labelNames,
      String... values) {
    return read(registry, name, labelNames, values, CounterSnapshot.class,
        p -> ((CounterSnapshot.CounterDataPointSnapshot) p).getValue());
  }

  static OptionalDouble gauge(PrometheusRegistry registry, String name, List<String> labelNames, String... values) {
    return read(registry, name, labelNames, values, GaugeSnapshot.class,
        p -> ((GaugeSnapshot.GaugeDataPointSnapshot) p).getValue());
  }

  static OptionalDouble histogramCount(PrometheusRegistry registry, String name, List<String> labelNames,
      String... values) {
    return read(registry, name, labelNames, values, HistogramSnapshot.class,
        p -> ((HistogramSnapshot.HistogramDataPointSnapshot) p).getCount());
  }

  static OptionalDouble histogramSum(PrometheusRegistry registry, String name, List<String> labelNames,
      String... values) {
    return read(registry, name, labelNames, values, HistogramSnapshot.class,
        p -> ((HistogramSnapshot.HistogramDataPointSnapshot) p).getSum());
  }

  /** How many series the metric has. */
  static int seriesCount(PrometheusRegistry registry, String name) {
    return snapshot(registry, name).map(s -> s.getDataPoints().size()).orElse(0);
  }

  static Optional<MetricSnapshot> snapshot(PrometheusRegistry registry, String name) {
    String base = strip(name);
    for (MetricSnapshot s : registry.scrape()) {
      if (strip(s.getMetadata().getName()).equals(base)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  private static OptionalDouble read(PrometheusRegistry registry, String name, List<String> labelNames,
      String[] values, Class<? extends MetricSnapshot> type, ToDoubleFunction<DataPointSnapshot> value) {
    Optional<MetricSnapshot> s = snapshot(registry, name);
    if (s.isEmpty() || !type.isInstance(s.get())) {
      return OptionalDouble.empty();
    }
    outer:
    for (DataPointSnapshot p : s.get().getDataPoints()) {
      if (p.getLabels().size() != values.length) {
        continue;
      }
      for (int i = 0; i < values.length; i++) {
        if (!values[i].equals(p.getLabels().get(labelNames.get(i)))) {
          continue outer;
        }
      }
      return OptionalDouble.of(value.applyAsDouble(p));
    }
    return OptionalDouble.empty();
  }

  private static String strip(String name) {
    return name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
  }
}
