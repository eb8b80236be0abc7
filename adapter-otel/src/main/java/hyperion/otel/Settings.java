package hyperion.otel;

import hyperion.config.Config;
import hyperion.config.ConfigException;
import hyperion.config.ConfigSections;
import hyperion.otel.TracingConfig.Exporter;
import hyperion.otel.TracingConfig.Protocol;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The effective tracing settings: the {@code tracing} section, with the standard {@code OTEL_*}
 * variables filling keys the YAML (or its {@code HYPERION_*} overrides) leaves unset. The variables
 * are read through OpenTelemetry autoconfigure's {@link ConfigProperties} (names normalized and
 * values typed as the SDK's own autoconfiguration does).
 */
record Settings(TracingConfig tracing, String serviceName, String serviceVersion, String environment,
    String endpoint, Sampler sampler, String samplerDescription) {

  static final String OTEL_SERVICE_NAME = "OTEL_SERVICE_NAME";
  static final String OTEL_EXPORTER_OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
  static final String OTEL_TRACES_SAMPLER = "OTEL_TRACES_SAMPLER";
  static final String OTEL_TRACES_SAMPLER_ARG = "OTEL_TRACES_SAMPLER_ARG";

  /** The settings of {@code config} alone (tests). */
  static Settings resolve(Config config, Map<String, String> env) {
    return resolve(new ConfigSections(config, java.util.Set.of(TracingConfig.SECTION)), env);
  }

  /**
   * The settings beside a registered global OpenTelemetry (the Java agent): the service section
   * only. The agent's own configuration decides sampling and export, so the {@code OTEL_*}
   * variables are not read here (a sampler this adapter does not know, e.g. {@code xray}, is the
   * agent's business) and there is no endpoint or sampler.
   */
  static Settings besideGlobal(ConfigSections sections) {
    Config config = sections.config();
    return new Settings(sections.get(TracingConfig.SECTION), config.service().name(), config.service().version(),
        config.service().environment(), null, null, "the global OpenTelemetry's");
  }

  static Settings resolve(ConfigSections sections, Map<String, String> env) {
    Config config = sections.config();
    TracingConfig tracing = sections.get(TracingConfig.SECTION);
    ConfigProperties otel = otelProperties(env);
    String serviceName = config.service().name();
    String fromEnv = otel.getString("otel.service.name");
    if (!config.isSet("service.name") && fromEnv != null) {
      serviceName = fromEnv;
    }
    String endpoint = endpoint(tracing, config.isSet("tracing.endpoint"), otel);
    Sampler sampler;
    String description;
    String samplerName = otel.getString("otel.traces.sampler");
    if (!config.isSet("tracing.sample_rate") && samplerName != null) {
      description = samplerName.toLowerCase(Locale.ROOT);
      sampler = envSampler(description, otel);
    } else {
      description = "parentbased_traceidratio(" + tracing.sampleRate() + ")";
      sampler = Sampler.parentBased(ratio(tracing.sampleRate()));
    }
    return new Settings(tracing, serviceName, config.service().version(), config.service().environment(), endpoint,
        sampler, description);
  }

  /**
   * The {@code OTEL_*} variables of {@code env} as OpenTelemetry's {@link ConfigProperties} ({@code
   * OTEL_TRACES_SAMPLER} is {@code otel.traces.sampler}); blank ones count as unset.
   */
  static ConfigProperties otelProperties(Map<String, String> env) {
    Map<String, String> properties = new HashMap<>();
    env.forEach((name, value) -> {
      if (name.startsWith("OTEL_") && value != null && !value.isBlank()) {
        properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value.trim());
      }
    });
    return DefaultConfigProperties.createFromMap(properties);
  }

  private static String endpoint(TracingConfig tracing, boolean setInYaml, ConfigProperties otel) {
    Exporter exporter = tracing.exporter();
    boolean otlp = exporter == Exporter.OTLP || exporter == Exporter.JAEGER;
    boolean http = tracing.protocol() == Protocol.HTTP_PROTOBUF;
    if (exporter == Exporter.LOGGING || exporter == Exporter.NONE) {
      return "";
    }
    if (!setInYaml || tracing.endpoint().isEmpty()) {
      String base = otlp ? otel.getString("otel.exporter.otlp.endpoint") : null;
      if (base != null) {
        ConfigException.require(TracingConfig.isHttpUrl(base), OTEL_EXPORTER_OTLP_ENDPOINT, base,
            "an http:// or https:// URL with a host, e.g. http://collector:4317");
        // Per the OpenTelemetry spec this variable is a base URL: HTTP appends the signal path.
        return http ? stripSlash(base) + "/v1/traces" : base;
      }
      if (exporter == Exporter.ZIPKIN) {
        return "http://localhost:9411/api/v2/spans";
      }
      return http ? "http://localhost:4318/v1/traces" : "http://localhost:4317";
    }
    String configured = tracing.endpoint();
    String path = URI.create(configured).getPath();
    boolean noPath = path == null || path.isEmpty() || path.equals("/");
    if (noPath && exporter == Exporter.ZIPKIN) {
      return stripSlash(configured) + "/api/v2/spans";
    }
    if (noPath && otlp && http) {
      return stripSlash(configured) + "/v1/traces";
    }
    return configured;
  }

  /**
   * Where log records go: the span endpoint for gRPC; for HTTP, {@code /v1/logs} on the span
   * endpoint's scheme, host and port.
   */
  String logsEndpoint() {
    if (tracing.protocol() != Protocol.HTTP_PROTOBUF || endpoint.isEmpty()) {
      return endpoint;
    }
    URI uri = URI.create(endpoint);
    return uri.getScheme() + "://" + uri.getRawAuthority() + "/v1/logs";
  }

  /**
   * The ratio sampler; 1.0 and 0.0 decide the same as always-on and always-off, which skip reading
   * the trace id on every root span.
   */
  private static Sampler ratio(double rate) {
    return rate >= 1.0 ? Sampler.alwaysOn() : rate <= 0.0 ? Sampler.alwaysOff() : Sampler.traceIdRatioBased(rate);
  }

  private static Sampler envSampler(String name, ConfigProperties otel) {
    return switch (name) {
      case "always_on" -> Sampler.alwaysOn();
      case "always_off" -> Sampler.alwaysOff();
      case "traceidratio" -> Sampler.traceIdRatioBased(ratio(otel));
      case "parentbased_always_on" -> Sampler.parentBased(Sampler.alwaysOn());
      case "parentbased_always_off" -> Sampler.parentBased(Sampler.alwaysOff());
      case "parentbased_traceidratio" -> Sampler.parentBased(Sampler.traceIdRatioBased(ratio(otel)));
      default -> throw new ConfigException(OTEL_TRACES_SAMPLER, name, "unrecognized value; allowed: always_on, "
          + "always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio");
    };
  }

  /** {@code OTEL_TRACES_SAMPLER_ARG}, 1.0 when unset (the specification's default). */
  private static double ratio(ConfigProperties otel) {
    String key = "otel.traces.sampler.arg";
    double r;
    try {
      r = otel.getDouble(key, 1.0);
    } catch (ConfigurationException e) {
      r = Double.NaN;
    }
    ConfigException.require(r >= 0.0 && r <= 1.0, OTEL_TRACES_SAMPLER_ARG, otel.getString(key),
        "a number from 0.0 to 1.0");
    return r;
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
