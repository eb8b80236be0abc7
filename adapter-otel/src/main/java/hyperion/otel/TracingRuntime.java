package hyperion.otel;

import hyperion.Component;
import hyperion.Metrics;
import hyperion.config.Config;
import hyperion.config.ConfigException;
import hyperion.otel.TracingConfig.Compression;
import hyperion.otel.TracingConfig.Exporter;
import hyperion.otel.TracingConfig.Protocol;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import zipkin2.reporter.Encoding;
import zipkin2.reporter.urlconnection.URLConnectionSender;

/**
 * Owns the OpenTelemetry SDK of one injector: resource, sampler, exporter, batch processor and
 * the {@link OtelTracer} over them. As a {@link Component} of phase {@link
 * Component#PHASE_TELEMETRY} it is stopped last, flushing what the other components traced while
 * stopping.
 */
@Singleton
final class TracingRuntime implements Component {
  private final Settings settings;
  private final Duration shutdownTimeout;
  private final Accounting accounting;
  private final SdkTracerProvider provider;
  private final OpenTelemetrySdk sdk;
  private final OtelTracer tracer;
  private final String exporterDescription;
  private volatile boolean stopped;

  @Inject
  TracingRuntime(Config config, Metrics metrics, OtelEnvironment env, Set<SpanProcessor> extraProcessors) {
    this.settings = Settings.resolve(config, env.values());
    this.shutdownTimeout = config.service().shutdownTimeout();
    TracingConfig tracing = settings.tracing();
    TracingConfig.Batch batch = tracing.batch();
    this.accounting = new Accounting(batch.queueSize(), metrics);

    SdkTracerProviderBuilder builder = SdkTracerProvider.builder()
        .setResource(resource(settings))
        .setSampler(settings.sampler())
        .setMeterProvider(MeterProvider::noop);
    extraProcessors.forEach(builder::addSpanProcessor);
    SpanExporter exporter = exporter(settings);
    if (exporter != null) {
      BatchSpanProcessor processor = BatchSpanProcessor.builder(accounting.exporter(exporter))
          // Room for the gate's bound plus one batch being assembled, so the SDK never drops silently.
          .setMaxQueueSize(batch.queueSize() + batch.maxBatchSize())
          .setMaxExportBatchSize(batch.maxBatchSize())
          .setScheduleDelay(batch.delay())
          .setExporterTimeout(batch.exportTimeout())
          .setMeterProvider(MeterProvider::noop)
          .build();
      builder.addSpanProcessor(accounting.gate(processor));
    } else if (extraProcessors.isEmpty()) {
      // With no processor at all the SDK hands out non-recording spans that only echo the parent,
      // so a root span would have no ids; exporter "none" still promises ids for propagation and logs.
      builder.addSpanProcessor(new DiscardingProcessor());
    }
    this.provider = builder.build();
    TextMapPropagator propagator = TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(),
        W3CBaggagePropagator.getInstance());
    // Not registered as GlobalOpenTelemetry: several injectors may live in one JVM (tests, embedding).
    this.sdk = OpenTelemetrySdk.builder().setTracerProvider(provider)
        .setPropagators(ContextPropagators.create(propagator)).build();
    this.tracer = new OtelTracer(sdk.getTracer("hyperion", settings.serviceVersion()), propagator);
    this.exporterDescription = tracing.exporter().name().toLowerCase(java.util.Locale.ROOT)
        + (settings.endpoint().isEmpty() ? "" : " " + settings.endpoint());
  }

  private static Resource resource(Settings s) {
    AttributesBuilder attrs = Attributes.builder();
    s.tracing().attributes().forEach(attrs::put);
    // The service section is the single source of these, so it wins over tracing.attributes.
    attrs.put("service.name", s.serviceName());
    attrs.put("service.version", s.serviceVersion());
    attrs.put("deployment.environment", s.environment());
    attrs.put("deployment.environment.name", s.environment());
    return Resource.getDefault().merge(Resource.create(attrs.build()));
  }

  private static SpanExporter exporter(Settings s) {
    TracingConfig t = s.tracing();
    return switch (t.exporter()) {
      case NONE -> null;
      case LOGGING -> new LoggingSpanExporter();
      case ZIPKIN -> new ZipkinSpanExporter(URLConnectionSender.newBuilder()
          .endpoint(s.endpoint())
          .encoding(Encoding.JSON)
          .compressionEnabled(t.compression() == Compression.GZIP)
          .connectTimeout(millis(t.timeout()))
          .readTimeout(millis(t.timeout()))
          .build(), s.endpoint());
      case OTLP, JAEGER -> t.protocol() == Protocol.GRPC ? grpc(s) : http(s);
    };
  }

  private static SpanExporter grpc(Settings s) {
    TracingConfig t = s.tracing();
    OtlpGrpcSpanExporterBuilder b = OtlpGrpcSpanExporter.builder()
        .setEndpoint(s.endpoint())
        .setTimeout(t.timeout())
        .setCompression(t.compression() == Compression.GZIP ? "gzip" : "none")
        .setMeterProvider(MeterProvider::noop);
    t.headers().forEach(b::addHeader);
    if (!t.tls().trustedCertificates().isEmpty()) {
      b.setTrustedCertificates(read("tls.trusted_certificates", t.tls().trustedCertificates()));
    }
    if (!t.tls().clientCertificate().isEmpty()) {
      b.setClientTls(read("tls.client_key", t.tls().clientKey()),
          read("tls.client_certificate", t.tls().clientCertificate()));
    }
    return b.build();
  }

  private static SpanExporter http(Settings s) {
    TracingConfig t = s.tracing();
    OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder()
        .setEndpoint(s.endpoint())
        .setTimeout(t.timeout())
        .setCompression(t.compression() == Compression.GZIP ? "gzip" : "none")
        .setMeterProvider(MeterProvider::noop);
    t.headers().forEach(b::addHeader);
    if (!t.tls().trustedCertificates().isEmpty()) {
      b.setTrustedCertificates(read("tls.trusted_certificates", t.tls().trustedCertificates()));
    }
    if (!t.tls().clientCertificate().isEmpty()) {
      b.setClientTls(read("tls.client_key", t.tls().clientKey()),
          read("tls.client_certificate", t.tls().clientCertificate()));
    }
    return b.build();
  }

  private static byte[] read(String key, String path) {
    try {
      return Files.readAllBytes(Path.of(path));
    } catch (IOException e) {
      throw new ConfigException("tracing." + key, path, "a readable PEM file (" + e + ")", e);
    }
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
  }

  OtelTracer tracer() {
    return tracer;
  }

  OpenTelemetrySdk sdk() {
    return sdk;
  }

  Accounting accounting() {
    return accounting;
  }

  Settings settings() {
    return settings;
  }

  String exporterDescription() {
    return exporterDescription;
  }

  @Override
  public String name() {
    return "tracing";
  }

  @Override
  public int phase() {
    return PHASE_TELEMETRY;
  }

  @Override
  public void start() {
    Tracing.LOG.info("tracing: service {} exporting to {}, sampler {}", settings.serviceName(),
        exporterDescription, settings.samplerDescription());
  }

  /**
   * Flushes the queue, then shuts the SDK down. Bounded: the flush gets three quarters of {@code
   * service.shutdown_timeout} (this component stops last, so it usually has most of it), the
   * shutdown what is left; spans still undelivered then are counted in the log.
   */
  @Override
  public void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    long deadline = System.nanoTime() + shutdownTimeout.toNanos() * 9 / 10;
    long failedBefore = accounting.failed();
    CompletableResultCode flush = provider.forceFlush().join(shutdownTimeout.toMillis() * 3 / 4, TimeUnit.MILLISECONDS);
    long left = Math.max(TimeUnit.MILLISECONDS.toNanos(100), deadline - System.nanoTime());
    CompletableResultCode shutdown = provider.shutdown().join(left, TimeUnit.NANOSECONDS);
    long notDelivered = accounting.pending() + (accounting.failed() - failedBefore);
    if (!flush.isSuccess() || !shutdown.isSuccess() || notDelivered > 0) {
      Tracing.LOG.warn("tracing: flush to {} incomplete at shutdown ({}); {} spans not delivered", exporterDescription,
          flush.isDone() ? "export failed" : "timed out", notDelivered);
    } else {
      Tracing.LOG.info("tracing: flushed and stopped; {} spans exported, {} dropped", accounting.exported(),
          accounting.dropped());
    }
  }

  @Override
  public String toString() {
    return "TracingRuntime[" + exporterDescription + "]";
  }

  /** Keeps the SDK creating real spans when nothing is exported. */
  private static final class DiscardingProcessor implements SpanProcessor {
    @Override public void onStart(io.opentelemetry.context.Context parent, io.opentelemetry.sdk.trace.ReadWriteSpan span) {}
    @Override public boolean isStartRequired() { return false; }
    @Override public void onEnd(io.opentelemetry.sdk.trace.ReadableSpan span) {}
    @Override public boolean isEndRequired() { return false; }
  }

  /** The process environment, injectable so tests can feed {@code OTEL_*} variables. */
  record OtelEnvironment(Map<String, String> values) {}
}
