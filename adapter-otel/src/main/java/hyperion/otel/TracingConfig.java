package hyperion.otel;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import hyperion.config.ConfigException;
import hyperion.config.ConfigSection;
import hyperion.config.Secret;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code tracing} section, bound when {@link OtelModule} is installed. Every key is optional;
 * see {@code docs/tracing.md} for the full reference.
 *
 * @param exporter where spans go ({@code tracing.exporter}): otlp, jaeger, zipkin, logging or none
 * @param endpoint the collector URL ({@code tracing.endpoint}); empty means the exporter's default
 * @param protocol the OTLP transport ({@code tracing.protocol}) for otlp and jaeger: grpc or http/protobuf
 * @param headers extra request headers for OTLP ({@code tracing.headers}), e.g. an API key; the
 *     values are {@link Secret}s, never printed
 * @param timeout how long one export request may take ({@code tracing.timeout})
 * @param compression request compression ({@code tracing.compression}): none or gzip
 * @param zipkinEncoding how the zipkin exporter encodes spans ({@code tracing.zipkin_encoding}):
 *     proto3 or json
 * @param tls certificates for an {@code https} endpoint ({@code tracing.tls})
 * @param sampleRate the fraction of new traces recorded ({@code tracing.sample_rate}), 0.0 to 1.0;
 *     child spans follow their parent's decision
 * @param attributes extra resource attributes on every span ({@code tracing.attributes})
 * @param batch the batch span processor's settings ({@code tracing.batch})
 * @param sdk which OpenTelemetry SDK spans go through ({@code tracing.sdk}): auto, own or global
 * @param logs export of log records over OTLP ({@code tracing.logs}); off by default
 */
public record TracingConfig(
    Sdk sdk,
    Exporter exporter,
    String endpoint,
    Protocol protocol,
    Map<String, Secret> headers,
    Duration timeout,
    Compression compression,
    ZipkinEncoding zipkinEncoding,
    Tls tls,
    double sampleRate,
    Map<String, String> attributes,
    Batch batch,
    Logs logs) {

  /** The defaults used when the section or a key is missing. */
  public static final TracingConfig DEFAULTS = new TracingConfig(Sdk.AUTO, Exporter.OTLP, "", Protocol.GRPC, Map.of(),
      Duration.ofSeconds(10), Compression.NONE, ZipkinEncoding.PROTO3, Tls.DEFAULTS, 1.0, Map.of(), Batch.DEFAULTS,
      Logs.DEFAULTS);

  /** Validates every component; errors name the key relative to {@code tracing}. */
  public TracingConfig {
    ConfigException.Checks checks = ConfigException.checks();
    checks.require(sdk != null, "sdk", null, "one of auto, own, global");
    checks.require(exporter != null, "exporter", null, "one of otlp, jaeger, zipkin, logging, none");
    checks.require(protocol != null, "protocol", null, "grpc or http/protobuf");
    checks.require(compression != null, "compression", null, "none or gzip");
    checks.require(zipkinEncoding != null, "zipkin_encoding", null, "proto3 or json");
    endpoint = endpoint == null ? "" : endpoint.trim();
    checks.require(endpoint.isEmpty() || isHttpUrl(endpoint), "endpoint", endpoint,
        "an http:// or https:// URL with a host, e.g. http://localhost:4317");
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    for (Map.Entry<String, Secret> h : headers.entrySet()) {
      checks.require(h.getKey().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+"), "headers." + h.getKey(),
          h.getKey(), "a header name made of token characters");
    }
    checks.requireMillisTo(timeout, Duration.ofMinutes(5), "timeout", "a duration between 1ms and 5m");
    tls = tls == null ? Tls.DEFAULTS : tls;
    checks.require(sampleRate >= 0.0 && sampleRate <= 1.0, "sample_rate", sampleRate,
        "a number from 0.0 to 1.0");
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    for (Map.Entry<String, String> a : attributes.entrySet()) {
      checks.require(!a.getKey().isBlank(), "attributes", a.getKey(), "non-blank attribute names");
    }
    batch = batch == null ? Batch.DEFAULTS : batch;
    logs = logs == null ? Logs.DEFAULTS : logs;
    checks.require(exporter == null || !logs.enabled() || exporter == Exporter.OTLP, "logs.enabled", true,
        "true only with exporter otlp (log records go over OTLP; exporter is "
            + String.valueOf(exporter).toLowerCase(java.util.Locale.ROOT) + ")");
    checks.throwIfAny();
  }

  /** The {@code tracing} section: its name, this record and {@link #DEFAULTS}. */
  public static final ConfigSection<TracingConfig> SECTION =
      new ConfigSection<>("tracing", TracingConfig.class, DEFAULTS);

  /** Whether {@code text} is an absolute http(s) URL with a host; used for every endpoint source. */
  static boolean isHttpUrl(String text) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme();
      return scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          && uri.getHost() != null && !uri.getHost().isEmpty();
    } catch (Exception e) {
      return false;
    }
  }

  /** Which OpenTelemetry SDK the adapter uses. */
  public enum Sdk {
    /**
     * {@code global} when a {@code GlobalOpenTelemetry} is already registered (the OpenTelemetry Java
     * agent registers one before {@code main}), else {@code own}.
     */
    AUTO,
    /** An SDK of this injector's own, configured by this section; {@code GlobalOpenTelemetry} is left alone. */
    OWN,
    /**
     * The registered {@code GlobalOpenTelemetry} (the agent's): its sampler, processors and exporter
     * apply and the exporter-related keys of this section are not used. Start-up fails when none is registered.
     */
    GLOBAL
  }

  /** Where spans are exported. */
  public enum Exporter {
    /** OTLP to any OpenTelemetry collector or backend; default endpoint localhost:4317 (gRPC) or :4318 (HTTP). */
    OTLP,
    /** OTLP to a Jaeger collector, which ingests OTLP natively; same default ports as otlp. */
    JAEGER,
    /**
     * Zipkin's v2 API, {@code /api/v2/spans} (encoded as {@link ZipkinEncoding}); default endpoint
     * http://localhost:9411/api/v2/spans.
     */
    ZIPKIN,
    /** One readable line per span through SLF4J (logger {@code hyperion.otel.spans}). */
    LOGGING,
    /** Nothing is exported; ids are still generated and propagated. */
    NONE
  }

  /** The OTLP transport. */
  public enum Protocol {
    /** OTLP/gRPC, default port 4317. */
    GRPC,
    /** OTLP/HTTP with protobuf bodies to {@code /v1/traces}, default port 4318; also written {@code http/protobuf}. */
    @JsonProperty("http/protobuf")
    @JsonAlias({"http_protobuf", "http"})
    HTTP_PROTOBUF
  }

  /** The body of a zipkin export. */
  public enum ZipkinEncoding {
    /**
     * Zipkin's protobuf3 list of spans ({@code application/x-protobuf}): about half the bytes of
     * JSON and cheaper to write; read by Zipkin 2.8 and later and by the OpenTelemetry Collector's
     * zipkin receiver.
     */
    PROTO3,
    /** Zipkin v2 JSON ({@code application/json}), for a receiver that reads no protobuf. */
    JSON
  }

  /** Request body compression. */
  public enum Compression {
    /** No compression. */
    NONE,
    /** gzip. */
    GZIP
  }

  /**
   * TLS material for an {@code https} OTLP endpoint, as PEM file paths. Empty means the JVM's
   * trust store and no client certificate.
   *
   * @param trustedCertificates CA certificates to trust ({@code tracing.tls.trusted_certificates})
   * @param clientCertificate the client certificate for mutual TLS ({@code tracing.tls.client_certificate})
   * @param clientKey the client's private key for mutual TLS ({@code tracing.tls.client_key})
   */
  public record Tls(String trustedCertificates, String clientCertificate, String clientKey) {

    /** No custom TLS material. */
    public static final Tls DEFAULTS = new Tls("", "", "");

    /** Checks that every given file is readable and that the client pair is complete. */
    public Tls {
      ConfigException.Checks checks = ConfigException.checks();
      trustedCertificates = trustedCertificates == null ? "" : trustedCertificates;
      clientCertificate = clientCertificate == null ? "" : clientCertificate;
      clientKey = clientKey == null ? "" : clientKey;
      requireReadable(checks, "trusted_certificates", trustedCertificates);
      requireReadable(checks, "client_certificate", clientCertificate);
      requireReadable(checks, "client_key", clientKey);
      checks.require(clientCertificate.isEmpty() == clientKey.isEmpty(),
          clientCertificate.isEmpty() ? "client_certificate" : "client_key", "(missing)",
          "client_certificate and client_key set together");
      checks.throwIfAny();
    }

    private static void requireReadable(ConfigException.Checks checks, String key, String path) {
      checks.require(path.isEmpty() || Files.isReadable(Path.of(path)), key, path,
          "a readable PEM file");
    }
  }

  /**
   * Log records exported over OTLP with the trace context of the span current when they were
   * logged, through the OpenTelemetry Logback appender, which the adapter attaches to the root
   * logger. They share the resource, endpoint, protocol, headers, TLS, compression, timeout and
   * batch settings of the spans; the HTTP endpoint path is {@code /v1/logs}.
   *
   * @param enabled whether log records are exported ({@code tracing.logs.enabled}); needs {@code exporter: otlp}
   * @param level the least severe level exported ({@code tracing.logs.level})
   */
  public record Logs(boolean enabled, Level level) {

    /** Off; INFO and above when switched on. */
    public static final Logs DEFAULTS = new Logs(false, Level.INFO);

    /** Checks the level. */
    public Logs {
      ConfigException.Checks checks = ConfigException.checks();
      checks.require(level != null, "level", null, "one of trace, debug, info, warn, error");
      checks.throwIfAny();
    }

    /** A log level, as Logback names them. */
    public enum Level {
      /** Everything. */
      TRACE,
      /** Debug and above. */
      DEBUG,
      /** Info and above. */
      INFO,
      /** Warnings and errors. */
      WARN,
      /** Errors only. */
      ERROR
    }
  }

  /**
   * The batch span processor: ended spans wait in a bounded queue and are exported in batches by
   * one background thread. When the queue is full new spans are dropped (and counted), never waited for.
   *
   * @param queueSize the most spans waiting for export ({@code tracing.batch.queue_size})
   * @param maxBatchSize the most spans in one export request ({@code tracing.batch.max_batch_size})
   * @param delay the longest a span waits before its batch is sent ({@code tracing.batch.delay})
   * @param exportTimeout how long one batch export may take before it is abandoned ({@code tracing.batch.export_timeout})
   */
  public record Batch(int queueSize, int maxBatchSize, Duration delay, Duration exportTimeout) {

    /** The OpenTelemetry SDK's defaults. */
    public static final Batch DEFAULTS = new Batch(2048, 512, Duration.ofSeconds(5), Duration.ofSeconds(30));

    /** Validates the sizes and durations. */
    public Batch {
      ConfigException.Checks checks = ConfigException.checks();
      checks.require(queueSize > 0 && queueSize <= 10_000_000, "queue_size", queueSize,
          "a whole number from 1 to 10000000");
      checks.require(maxBatchSize > 0 && maxBatchSize <= queueSize, "max_batch_size", maxBatchSize,
          "a whole number from 1 to queue_size (" + queueSize + ")");
      checks.requireMillisTo(delay, Duration.ofMinutes(5), "delay", "a duration between 1ms and 5m");
      checks.requireMillisTo(exportTimeout, Duration.ofMinutes(5), "export_timeout", "a duration between 1ms and 5m");
      checks.throwIfAny();
    }
  }
}
