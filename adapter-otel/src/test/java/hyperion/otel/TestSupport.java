package hyperion.otel;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Stage;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Counter;
import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.HyperionModule;
import hyperion.Metrics;
import hyperion.config.Config;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.DoubleSupplier;

/** Shared test helpers: injectors built like {@code Hyperion.start} does, a capturing exporter, a counting Metrics. */
final class TestSupport {
  private TestSupport() {}

  /** An injector in {@link Stage#PRODUCTION} with {@code yaml}, the given OTEL_* environment and extra modules. */
  static Injector injector(String yaml, Map<String, String> env, Module... extra) {
    List<Module> modules = new ArrayList<>();
    modules.add(new HyperionModule(Config.fromYaml(yaml)));
    modules.add(new OtelModule(env));
    modules.addAll(List.of(extra));
    return Guice.createInjector(Stage.PRODUCTION, modules);
  }

  /** A module adding a synchronous processor that hands every ended span to {@code exporter}. */
  static Module capturing(CapturingExporter exporter) {
    return b -> Multibinder.newSetBinder(b, SpanProcessor.class).addBinding()
        .toInstance(SimpleSpanProcessor.create(exporter));
  }

  /** A module binding {@code metrics} as the Metrics port. */
  static Module metrics(CountingMetrics metrics) {
    return b -> OptionalBinder.newOptionalBinder(b, Metrics.class).setBinding().toInstance(metrics);
  }

  /** The java launcher of the running JVM, for child processes. */
  static String javaBin() {
    return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Keeps every exported span in memory. */
  static final class CapturingExporter implements SpanExporter {
    final List<SpanData> spans = new CopyOnWriteArrayList<>();

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
      spans.addAll(batch);
      return CompletableResultCode.ofSuccess();
    }

    @Override public CompletableResultCode flush() { return CompletableResultCode.ofSuccess(); }
    @Override public CompletableResultCode shutdown() { return CompletableResultCode.ofSuccess(); }
  }

  /** A minimal real Metrics: unlabelled counters and supplier gauges, readable by name. */
  static final class CountingMetrics implements Metrics {
    private final Map<String, DoubleAdder> counters = new ConcurrentHashMap<>();
    private final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();

    double counter(String name) {
      DoubleAdder a = counters.get(name);
      return a == null ? 0 : a.sum();
    }

    double gauge(String name) {
      DoubleSupplier s = gauges.get(name);
      return s == null ? Double.NaN : s.getAsDouble();
    }

    @Override
    public Counter counter(String name, String help, String... labelNames) {
      DoubleAdder adder = counters.computeIfAbsent(name, n -> new DoubleAdder());
      return new Counter() {
        @Override public void inc() { adder.add(1); }
        @Override public void inc(double amount) { if (amount > 0) { adder.add(amount); } }
        @Override public Child labels(String... labelValues) {
          return new Child() {
            @Override public void inc() { adder.add(1); }
            @Override public void inc(double amount) { if (amount > 0) { adder.add(amount); } }
          };
        }
      };
    }

    @Override
    public Histogram histogram(String name, String help, String... labelNames) {
      throw new UnsupportedOperationException("not needed by these tests");
    }

    @Override
    public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
      throw new UnsupportedOperationException("not needed by these tests");
    }

    @Override
    public Gauge gauge(String name, String help, String... labelNames) {
      throw new UnsupportedOperationException("not needed by these tests");
    }

    @Override
    public void gauge(String name, String help, DoubleSupplier value) {
      gauges.putIfAbsent(name, value);
    }

  }
}
