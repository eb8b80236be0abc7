package hyperion.benchmarks;

import hyperion.otel.OtelModule;
import hyperion.prometheus.PrometheusModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import hyperion.HyperionModule;
import hyperion.Metrics;
import hyperion.Span;
import hyperion.Tracer;
import hyperion.config.Config;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Metrics suite: counter increment and histogram observe through the {@link Metrics} port
 * (Prometheus adapter) next to client_java 1.x used directly, with and without a current sampled
 * span (the exemplar path).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsBenchmark {

  static final String YAML = """
      service:
        name: bench
      admin:
        port: 0
      metrics:
        collect_runtime: false
        simpleclient_bridge: false
        exemplars: true
      tracing:
        exporter: none
        sample_rate: 1.0
      """;

  /** One injector and one native registry per run. */
  @State(Scope.Benchmark)
  public static class Instruments {
    Injector injector;
    hyperion.Counter portCounter;
    hyperion.Counter.Child portChild;
    hyperion.Histogram.Child portHistogram;
    io.prometheus.metrics.core.metrics.Counter nativeCounter;
    CounterDataPoint nativeChild;
    DistributionDataPoint nativeHistogram;
    Tracer tracer;

    @Setup
    public void setUp() {
      injector = Guice.createInjector(new HyperionModule(Config.fromYaml(YAML)),
          new PrometheusModule(), new OtelModule(),
          TracingBenchmark.processorModule(TracingBenchmark.batch()));
      Metrics metrics = injector.getInstance(Metrics.class);
      tracer = injector.getInstance(Tracer.class);
      portCounter = metrics.counter("port_requests_total", "requests", "route", "status");
      portChild = portCounter.labels("/users", "200");
      portHistogram = metrics.histogram("port_latency_seconds", "latency", "route").labels("/users");

      PrometheusRegistry registry = new PrometheusRegistry();
      nativeCounter = io.prometheus.metrics.core.metrics.Counter.builder().name("native_requests_total")
          .help("requests").labelNames("route", "status").register(registry);
      nativeChild = nativeCounter.labelValues("/users", "200");
      nativeHistogram = io.prometheus.metrics.core.metrics.Histogram.builder().name("native_latency_seconds")
          .help("latency").labelNames("route").classicOnly()
          .classicUpperBounds(.005, .01, .025, .05, .1, .25, .5, 1.0, 2.5, 5.0, 10.0)
          .register(registry).labelValues("/users");
    }
  }

  /** Whether a sampled span is current on the benchmark thread while it measures. */
  @State(Scope.Thread)
  public static class SpanState {
    @Param({"none", "sampled"})
    public String span;
    Span current;

    @Setup(Level.Trial)
    public void open(Instruments shared) {
      if (span.equals("sampled")) {
        current = shared.tracer.start("request");
        if (!current.isSampled()) {
          throw new IllegalStateException("the benchmark span is not sampled");
        }
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      if (current != null) {
        current.close();
      }
    }
  }

  @Benchmark
  public void baseline(Instruments s, SpanState span) {}

  @Benchmark
  public void portCounterChildInc(Instruments s, SpanState span) {
    s.portChild.inc();
  }

  @Benchmark
  public void nativeCounterChildInc(Instruments s, SpanState span) {
    s.nativeChild.inc();
  }

  @Benchmark
  public void portCounterLabelsInc(Instruments s, SpanState span) {
    s.portCounter.labels("/users", "200").inc();
  }

  @Benchmark
  public void nativeCounterLabelValuesInc(Instruments s, SpanState span) {
    s.nativeCounter.labelValues("/users", "200").inc();
  }

  @Benchmark
  public void portHistogramObserve(Instruments s, SpanState span) {
    s.portHistogram.observe(0.042);
  }

  @Benchmark
  public void nativeHistogramObserve(Instruments s, SpanState span) {
    s.nativeHistogram.observe(0.042);
  }
}
