package hyperion.otel;

import hyperion.Metrics;
import hyperion.config.ConfigException;
import hyperion.config.Secret;
import hyperion.otel.TracingConfig.Compression;
import hyperion.otel.TracingConfig.Protocol;
import hyperion.otel.TracingConfig.ZipkinEncoding;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.OpenTelemetrySdkBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zipkin2.reporter.Encoding;
import zipkin2.reporter.urlconnection.URLConnectionSender;

/**
 * The OpenTelemetry SDK this injector builds for itself ({@code tracing.sdk: own}): resource,
 * sampler, exporter behind the counted batch processor and, with {@code tracing.logs.enabled}, the
 * log record pipeline. Never registered as {@code GlobalOpenTelemetry}: several injectors may live
 * in one JVM (tests, embedding).
 */
final class OwnSdk {
  private static final Logger LOG = LoggerFactory.getLogger(OwnSdk.class);

  private final Settings settings;
  private final SpanQueueGate queueGate;
  private final SdkTracerProvider tracerProvider;
  private final SdkLoggerProvider loggerProvider;
  private final LogbackLogExport logExport;
  private final OpenTelemetrySdk sdk;
  private final String exporterDescription;

  OwnSdk(Settings settings, Metrics metrics, Set<SpanProcessor> extraProcessors, BiConsumer<String, Throwable> failures) {
    this.settings = settings;
    TracingConfig tracing = settings.tracing();
    TracingConfig.Batch batch = tracing.batch();
    this.queueGate = new SpanQueueGate(batch.queueSize(), metrics, failures);
    Resource resource = resource(settings);

    SdkTracerProviderBuilder builder = SdkTracerProvider.builder()
        .setResource(resource)
        .setSampler(settings.sampler())
        .setMeterProvider(MeterProvider::noop);
    extraProcessors.forEach(p -> builder.addSpanProcessor(new GuardedProcessor(p, failures)));
    SpanExporter exporter = exporter(settings);
    if (exporter != null) {
      BatchSpanProcessor processor = BatchSpanProcessor.builder(queueGate.exporter(exporter))
          // Room for the gate's bound plus one batch being assembled, so the SDK never drops silently.
          .setMaxQueueSize(batch.queueSize() + batch.maxBatchSize())
          .setMaxExportBatchSize(batch.maxBatchSize())
          .setScheduleDelay(batch.delay())
          .setExporterTimeout(batch.exportTimeout())
          .setMeterProvider(MeterProvider::noop)
          .build();
      builder.addSpanProcessor(queueGate.gate(processor));
    } else if (extraProcessors.isEmpty()) {
      // With no processor at all the SDK hands out non-recording spans that only echo the parent,
      // so a root span would have no ids; exporter "none" still promises ids for propagation and logs.
      builder.addSpanProcessor(new DiscardingProcessor());
    }
    this.tracerProvider = builder.build();
    OpenTelemetrySdkBuilder sdkBuilder = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider)
        .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())));
    if (tracing.logs().enabled()) {
      requireLogback();
      this.loggerProvider = SdkLoggerProvider.builder().setResource(resource)
          .setMeterProvider(MeterProvider::noop)
          .addLogRecordProcessor(BatchLogRecordProcessor.builder(logExporter(settings))
              .setMaxQueueSize(batch.queueSize())
              .setMaxExportBatchSize(batch.maxBatchSize())
              .setScheduleDelay(batch.delay())
              .setExporterTimeout(batch.exportTimeout())
              .setMeterProvider(MeterProvider::noop)
              .build())
          .build();
      sdkBuilder.setLoggerProvider(loggerProvider);
    } else {
      this.loggerProvider = null;
    }
    this.sdk = sdkBuilder.build();
    this.logExport = loggerProvider == null ? null : new LogbackLogExport(sdk, tracing.logs().level());
    this.exporterDescription = tracing.exporter().name().toLowerCase(java.util.Locale.ROOT)
        + (settings.endpoint().isEmpty() ? "" : " " + settings.endpoint());
  }

  /**
   * Fails start-up, naming the key, unless Logback is the SLF4J back end and OpenTelemetry's Logback
   * appender is on the class path. Here, not in {@link LogbackLogExport}, which cannot even be
   * loaded without them.
   */
  private static void requireLogback() {
    String missing = !present("io.opentelemetry.instrumentation.logback.appender.v1_0.OpenTelemetryAppender")
        ? "io.opentelemetry.instrumentation:opentelemetry-logback-appender-1.0"
        : !"ch.qos.logback.classic.LoggerContext".equals(LoggerFactory.getILoggerFactory().getClass().getName())
        ? "logback-classic as the SLF4J back end" : null;
    ConfigException.require(missing == null, "tracing.logs.enabled", true, "true only with " + missing
        + " on the class path");
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, OwnSdk.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  OpenTelemetrySdk sdk() {
    return sdk;
  }

  SpanQueueGate queueGate() {
    return queueGate;
  }

  String exporterDescription() {
    return exporterDescription;
  }

  /** Starts exporting log records, if switched on. */
  void start() {
    if (logExport != null) {
      logExport.attach();
      LOG.info("tracing: exporting log records at {} and above to {}", settings.tracing().logs().level(),
          settings.logsEndpoint());
    }
  }

  /**
   * Flushes the span queue, then shuts the SDK down, within {@code timeout}: the flush gets three
   * quarters of it (this component stops last, so it usually has most of it), the shutdown what is
   * left of 90 %; spans still undelivered then are counted in the log. Log records stop being
   * captured first and are flushed with the spans.
   */
  void stop(Duration timeout) {
    if (logExport != null) {
      logExport.detach();
    }
    long deadline = System.nanoTime() + timeout.toNanos() * 9 / 10;
    long failedBefore = queueGate.failed();
    CompletableResultCode flush = CompletableResultCode.ofAll(loggerProvider == null
        ? List.of(tracerProvider.forceFlush()) : List.of(tracerProvider.forceFlush(), loggerProvider.forceFlush()))
        .join(timeout.toMillis() * 3 / 4, TimeUnit.MILLISECONDS);
    long left = Math.max(TimeUnit.MILLISECONDS.toNanos(100), deadline - System.nanoTime());
    CompletableResultCode shutdown = sdk.shutdown().join(left, TimeUnit.NANOSECONDS);
    long notDelivered = queueGate.pending() + (queueGate.failed() - failedBefore);
    if (!flush.isSuccess() || !shutdown.isSuccess() || notDelivered > 0) {
      LOG.warn("tracing: flush to {} incomplete at shutdown ({}); {} spans not delivered", exporterDescription,
          flush.isDone() ? "export failed" : "timed out", notDelivered);
    } else {
      LOG.info("tracing: flushed and stopped; {} spans exported, {} dropped", queueGate.exported(),
          queueGate.dropped());
    }
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
          .encoding(t.zipkinEncoding() == ZipkinEncoding.JSON ? Encoding.JSON : Encoding.PROTO3)
          .compressionEnabled(t.compression() == Compression.GZIP)
          .connectTimeout(millis(t.timeout()))
          .readTimeout(millis(t.timeout()))
          .build(), s.endpoint());
      case OTLP, JAEGER -> {
        Otlp o = Otlp.of(t);
        if (t.protocol() == Protocol.GRPC) {
          OtlpGrpcSpanExporterBuilder b = OtlpGrpcSpanExporter.builder().setMeterProvider(MeterProvider::noop);
          yield o.build(s.endpoint(), b::setEndpoint, b::setTimeout, b::setCompression, b::addHeader,
              b::setTrustedCertificates, b::setClientTls, b::build);
        }
        OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder().setMeterProvider(MeterProvider::noop);
        yield o.build(s.endpoint(), b::setEndpoint, b::setTimeout, b::setCompression, b::addHeader,
            b::setTrustedCertificates, b::setClientTls, b::build);
      }
    };
  }

  /** The OTLP log exporter, with the same settings as the span exporter. */
  private static LogRecordExporter logExporter(Settings s) {
    Otlp o = Otlp.of(s.tracing());
    if (s.tracing().protocol() == Protocol.GRPC) {
      OtlpGrpcLogRecordExporterBuilder b = OtlpGrpcLogRecordExporter.builder().setMeterProvider(MeterProvider::noop);
      return o.build(s.logsEndpoint(), b::setEndpoint, b::setTimeout, b::setCompression, b::addHeader,
          b::setTrustedCertificates, b::setClientTls, b::build);
    }
    OtlpHttpLogRecordExporterBuilder b = OtlpHttpLogRecordExporter.builder().setMeterProvider(MeterProvider::noop);
    return o.build(s.logsEndpoint(), b::setEndpoint, b::setTimeout, b::setCompression, b::addHeader,
        b::setTrustedCertificates, b::setClientTls, b::build);
  }

  /**
   * What every OTLP exporter gets, spans or logs, gRPC or HTTP (the SDK's four builders have these
   * setters but no common type). The PEM files are read once here.
   */
  private record Otlp(Duration timeout, String compression, Map<String, Secret> headers, byte[] trusted,
      byte[] clientKey, byte[] clientCertificate) {

    static Otlp of(TracingConfig t) {
      TracingConfig.Tls tls = t.tls();
      return new Otlp(t.timeout(), t.compression() == Compression.GZIP ? "gzip" : "none", t.headers(),
          tls.trustedCertificates().isEmpty() ? null : read("tls.trusted_certificates", tls.trustedCertificates()),
          tls.clientKey().isEmpty() ? null : read("tls.client_key", tls.clientKey()),
          tls.clientCertificate().isEmpty() ? null : read("tls.client_certificate", tls.clientCertificate()));
    }

    /** Applies these settings and {@code endpoint} through one builder's setters, then builds it. */
    <E> E build(String endpoint, Consumer<String> setEndpoint, Consumer<Duration> setTimeout,
        Consumer<String> setCompression, BiConsumer<String, String> addHeader, Consumer<byte[]> setTrusted,
        BiConsumer<byte[], byte[]> setClientTls, Supplier<E> build) {
      setEndpoint.accept(endpoint);
      setTimeout.accept(timeout);
      setCompression.accept(compression);
      headers.forEach((name, value) -> addHeader.accept(name, value.reveal()));
      if (trusted != null) {
        setTrusted.accept(trusted);
      }
      if (clientKey != null) {
        setClientTls.accept(clientKey, clientCertificate);
      }
      return build.get();
    }

    private static byte[] read(String key, String path) {
      try {
        return Files.readAllBytes(Path.of(path));
      } catch (IOException e) {
        throw new ConfigException("tracing." + key, path, "a readable PEM file (" + e + ")", e);
      }
    }
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
  }

  /** Keeps the SDK creating real spans when nothing is exported. */
  private static final class DiscardingProcessor implements SpanProcessor {
    @Override public void onStart(io.opentelemetry.context.Context parent, io.opentelemetry.sdk.trace.ReadWriteSpan span) {}
    @Override public boolean isStartRequired() { return false; }
    @Override public void onEnd(io.opentelemetry.sdk.trace.ReadableSpan span) {}
    @Override public boolean isEndRequired() { return false; }
  }
}
