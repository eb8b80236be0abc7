package hyperion.benchmarks;

import hyperion.otel.OtelModule;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.multibindings.Multibinder;
import hyperion.HyperionModule;
import hyperion.Span;
import hyperion.TextMapGetter;
import hyperion.TextMapSetter;
import hyperion.TraceContext;
import hyperion.Tracer;
import hyperion.config.Config;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracing suite: span start+end through the {@link Tracer} port (OpenTelemetry adapter) next to the
 * OpenTelemetry SDK used directly. Both sides have the same sampler and a batch span processor with
 * an exporter that drops every batch, so the work measured is the span's, not the network's.
 *
 * <p>Logback is the SLF4J back end, configured as a service would (this module's {@code
 * logback.xml}): OpenTelemetry's MDC appender correlates every line with the current span at log
 * time. The {@code *SpanWithLog} pair logs one INFO line inside the span through it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TracingBenchmark {

  static final String YAML = """
      service:
        name: bench
      tracing:
        exporter: none
        sample_rate: %s
      """;

  /** Routed by logback.xml through the correlating appender to a formatting, discarding one. */
  static final Logger REQUESTS = LoggerFactory.getLogger("hyperion.benchmarks.requests");

  static final TextMapSetter<Map<String, String>> PORT_SETTER = Map::put;
  static final TextMapGetter<Map<String, String>> PORT_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier.get(key);
    }
  };
  static final io.opentelemetry.context.propagation.TextMapGetter<Map<String, String>> OTEL_GETTER =
      new io.opentelemetry.context.propagation.TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  /** Accepts every batch and does nothing with it. */
  static final class NoopExporter implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  static SpanProcessor batch() {
    return BatchSpanProcessor.builder(new NoopExporter()).build();
  }

  /**
   * Adds {@code processor} to the adapter's SDK. The suite configures {@code exporter: none} plus
   * this batch processor over a dropping exporter, the same pipeline as the native side.
   */
  static com.google.inject.Module processorModule(SpanProcessor processor) {
    return new AbstractModule() {
      @Override
      protected void configure() {
        Multibinder.newSetBinder(binder(), SpanProcessor.class).addBinding().toInstance(processor);
      }
    };
  }

  static Injector injector(double sampleRate, SpanProcessor processor) {
    return Guice.createInjector(new HyperionModule(Config.fromYaml(YAML.formatted(sampleRate))),
        new OtelModule(), processorModule(processor));
  }

  static SdkTracerProvider sdk(Sampler sampler, SpanProcessor processor) {
    return SdkTracerProvider.builder().setSampler(sampler).addSpanProcessor(processor).build();
  }

  /** Port and SDK tracers, sampled and unsampled, and a carrier with a traceparent. */
  @State(org.openjdk.jmh.annotations.Scope.Benchmark)
  public static class Tracers {
    SpanProcessor portSampledBatch;
    SpanProcessor portUnsampledBatch;
    Tracer port;
    Tracer portUnsampled;
    SdkTracerProvider nativeProvider;
    SdkTracerProvider nativeUnsampledProvider;
    io.opentelemetry.api.trace.Tracer nativeTracer;
    io.opentelemetry.api.trace.Tracer nativeUnsampled;
    final TextMapPropagator propagator = TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(),
        W3CBaggagePropagator.getInstance());
    final Map<String, String> incoming = Map.of("traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

    @Setup
    public void setUp() {
      portSampledBatch = batch();
      portUnsampledBatch = batch();
      port = injector(1.0, portSampledBatch).getInstance(Tracer.class);
      portUnsampled = injector(0.0, portUnsampledBatch).getInstance(Tracer.class);
      nativeProvider = sdk(Sampler.parentBased(Sampler.alwaysOn()), batch());
      nativeUnsampledProvider = sdk(Sampler.parentBased(Sampler.alwaysOff()), batch());
      nativeTracer = nativeProvider.get("bench");
      nativeUnsampled = nativeUnsampledProvider.get("bench");
    }

    @TearDown
    public void tearDown() {
      portSampledBatch.shutdown();
      portUnsampledBatch.shutdown();
      nativeProvider.shutdown();
      nativeUnsampledProvider.shutdown();
    }
  }

  @Benchmark
  public void baseline(Tracers s) {}

  @Benchmark
  public Object portSpan(Tracers s) {
    try (Span span = s.port.start("op")) {
      return span;
    }
  }

  @Benchmark
  public Object nativeSpan(Tracers s) {
    io.opentelemetry.api.trace.Span span = s.nativeTracer.spanBuilder("op").startSpan();
    try (Scope scope = span.makeCurrent()) {
      return span;
    } finally {
      span.end();
    }
  }

  /** A span with one correlated log line inside: what a request handler that logs pays. */
  @Benchmark
  public Object portSpanWithLog(Tracers s) {
    try (Span span = s.port.start("op")) {
      REQUESTS.info("handled {}", "op");
      return span;
    }
  }

  @Benchmark
  public Object nativeSpanWithLog(Tracers s) {
    io.opentelemetry.api.trace.Span span = s.nativeTracer.spanBuilder("op").startSpan();
    try (Scope scope = span.makeCurrent()) {
      REQUESTS.info("handled {}", "op");
      return span;
    } finally {
      span.end();
    }
  }

  @Benchmark
  public Object portSpanUnsampled(Tracers s) {
    try (Span span = s.portUnsampled.start("op")) {
      return span;
    }
  }

  @Benchmark
  public Object nativeSpanUnsampled(Tracers s) {
    io.opentelemetry.api.trace.Span span = s.nativeUnsampled.spanBuilder("op").startSpan();
    try (Scope scope = span.makeCurrent()) {
      return span;
    } finally {
      span.end();
    }
  }

  @Benchmark
  public Object portSpan4Attributes(Tracers s) {
    try (Span span = s.port.spanBuilder("op").attribute("http.method", "GET").attribute("http.route", "/users")
        .attribute("http.status_code", 200L).attribute("cache.hit", true).start()) {
      return span;
    }
  }

  @Benchmark
  public Object nativeSpan4Attributes(Tracers s) {
    io.opentelemetry.api.trace.Span span = s.nativeTracer.spanBuilder("op").setAttribute("http.method", "GET")
        .setAttribute("http.route", "/users").setAttribute("http.status_code", 200L)
        .setAttribute("cache.hit", true).startSpan();
    try (Scope scope = span.makeCurrent()) {
      return span;
    } finally {
      span.end();
    }
  }

  /** Injects the current span's context; a span is current around the call on both sides. */
  @Benchmark
  public Object portInject(Tracers s) {
    Map<String, String> carrier = new HashMap<>(4);
    try (Span span = s.port.start("client")) {
      s.port.inject(carrier, PORT_SETTER);
    }
    return carrier;
  }

  @Benchmark
  public Object nativeInject(Tracers s) {
    Map<String, String> carrier = new HashMap<>(4);
    io.opentelemetry.api.trace.Span span = s.nativeTracer.spanBuilder("client").startSpan();
    try (Scope scope = span.makeCurrent()) {
      s.propagator.inject(Context.current(), carrier, Map::put);
    } finally {
      span.end();
    }
    return carrier;
  }

  @Benchmark
  public TraceContext portExtract(Tracers s) {
    return s.port.extract(s.incoming, PORT_GETTER);
  }

  @Benchmark
  public Context nativeExtract(Tracers s) {
    return s.propagator.extract(Context.root(), s.incoming, OTEL_GETTER);
  }
}
