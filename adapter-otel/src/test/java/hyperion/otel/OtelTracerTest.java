package hyperion.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Stage;
import com.google.inject.TypeLiteral;
import hyperion.Component;
import hyperion.HealthCheck;
import hyperion.Hyperion;
import hyperion.HyperionModule;
import hyperion.Span;
import hyperion.Tracer;
import hyperion.config.Config;
import hyperion.config.ConfigException;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Scope;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the contract cannot see: OpenTelemetry interop, bindings, configuration. */
class OtelTracerTest {
  private static final Injector INJECTOR = TestSupport.injector("tracing:\n  exporter: none\n", Map.of());
  private static final Tracer TRACER = INJECTOR.getInstance(Tracer.class);

  @Nested
  class Interop {
    @Test
    void openTelemetryApiSeesOurCurrentSpan() {
      try (Span span = TRACER.start("ours")) {
        assertThat(io.opentelemetry.api.trace.Span.current().getSpanContext().getSpanId()).isEqualTo(span.spanId());
      }
      assertThat(io.opentelemetry.api.trace.Span.current().getSpanContext().isValid()).isFalse();
    }

    @Test
    void weSeeASpanMadeCurrentByOpenTelemetryCode() {
      io.opentelemetry.api.trace.Tracer otel = INJECTOR.getInstance(OpenTelemetry.class).getTracer("library");
      io.opentelemetry.api.trace.Span theirs = otel.spanBuilder("theirs").startSpan();
      try (Scope ignored = theirs.makeCurrent()) {
        assertThat(TRACER.currentSpan().spanId()).isEqualTo(theirs.getSpanContext().getSpanId());
        try (Span child = TRACER.start("our-child")) {
          assertThat(child.traceId()).isEqualTo(theirs.getSpanContext().getTraceId());
        }
      } finally {
        theirs.end();
      }
    }
  }

  @Nested
  class Bindings {
    @Test
    void installingTwiceIsHarmlessAndContributesOneComponentAndHealthCheck() {
      Injector injector = Guice.createInjector(Stage.PRODUCTION, new HyperionModule(Config.fromYaml("tracing:\n  exporter: none\n")),
          new OtelModule(Map.of()), new OtelModule(Map.of()));
      assertThat(injector.getInstance(Tracer.class)).isInstanceOf(OtelTracer.class);
      assertThat(injector.getInstance(Key.get(new TypeLiteral<Set<Component>>() {})))
          .filteredOn(c -> c instanceof TracingRuntime).hasSize(1)
          .allMatch(c -> c.phase() == Component.PHASE_TELEMETRY);
      Set<HealthCheck> checks = injector.getInstance(Key.get(new TypeLiteral<Set<HealthCheck>>() {}));
      assertThat(checks).filteredOn(h -> h.name().equals("tracing")).singleElement()
          .satisfies(h -> assertThat(h.check().healthy()).isTrue());
      assertThat(new OtelModule()).isEqualTo(new OtelModule(Map.of())).hasSameHashCodeAs(new OtelModule());
    }

    @Test
    void aThrowingSpanProcessorNeverReachesTheCaller() {
      io.opentelemetry.sdk.trace.SpanProcessor throwing = new io.opentelemetry.sdk.trace.SpanProcessor() {
        @Override public void onStart(io.opentelemetry.context.Context c, io.opentelemetry.sdk.trace.ReadWriteSpan s) {
          throw new IllegalStateException("onStart broken");
        }
        @Override public boolean isStartRequired() { return true; }
        @Override public void onEnd(io.opentelemetry.sdk.trace.ReadableSpan s) {
          throw new IllegalStateException("onEnd broken");
        }
        @Override public boolean isEndRequired() { return true; }
      };
      TestSupport.CapturingExporter captured = new TestSupport.CapturingExporter();
      Tracer tracer = TestSupport.injector("tracing:\n  exporter: none\n", Map.of(),
          b -> com.google.inject.multibindings.Multibinder.newSetBinder(b, io.opentelemetry.sdk.trace.SpanProcessor.class)
              .addBinding().toInstance(throwing), TestSupport.capturing(captured)).getInstance(Tracer.class);
      var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(TracingRuntime.class);
      var warnings = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
      warnings.start();
      logger.addAppender(warnings);
      String spanId;
      try {
        try (Span span = tracer.start("survives")) {
          spanId = span.spanId();
          assertThat(span.isRecording()).isTrue();
        }
        tracer.start("again").close();
      } finally {
        logger.detachAppender(warnings);
      }
      assertThat(captured.spans).hasSize(2).first().satisfies(s -> assertThat(s.getSpanId()).isEqualTo(spanId));
      assertThat(tracer.currentSpan().context().isValid()).isFalse();
      // Reported, rate-limited per kind: two spans, one warning for onStart and one for onEnd.
      assertThat(warnings.list).extracting(e -> e.getFormattedMessage()).containsExactlyInAnyOrder(
          "tracing: span processor " + throwing.getClass().getName() + " onStart failed",
          "tracing: span processor " + throwing.getClass().getName() + " onEnd failed");
      assertThat(warnings.list).allSatisfy(e -> assertThat(e.getThrowableProxy().getMessage()).endsWith("broken"));
    }

    @Test
    void besideARegisteredGlobalOpenTelemetryAutoUsesItAndOwnDoesNot() {
      TestSupport.CapturingExporter global = new TestSupport.CapturingExporter();
      io.opentelemetry.sdk.OpenTelemetrySdk agentLike = io.opentelemetry.sdk.OpenTelemetrySdk.builder()
          .setTracerProvider(io.opentelemetry.sdk.trace.SdkTracerProvider.builder()
              .addSpanProcessor(io.opentelemetry.sdk.trace.export.SimpleSpanProcessor.create(global)).build())
          .build();
      io.opentelemetry.api.GlobalOpenTelemetry.set(agentLike);
      try {
        Injector auto = TestSupport.injector("tracing:\n  exporter: zipkin\n", Map.of());
        Injector global2 = TestSupport.injector("tracing:\n  sdk: global\n", Map.of());
        Injector own = TestSupport.injector("tracing:\n  sdk: own\n  exporter: none\n", Map.of());
        // The agent's sampler names are its business: one this adapter does not know fails only its own SDK.
        Injector agentSampler = TestSupport.injector("tracing:\n  sdk: auto\n", Map.of("OTEL_TRACES_SAMPLER", "xray"));
        assertThat(agentSampler.getInstance(TracingRuntime.class).usesGlobal()).isTrue();
        assertThat(auto.getInstance(TracingRuntime.class).usesGlobal()).isTrue();
        assertThat(global2.getInstance(TracingRuntime.class).usesGlobal()).isTrue();
        assertThat(own.getInstance(TracingRuntime.class).usesGlobal()).isFalse();
        String autoSpan;
        try (Span span = auto.getInstance(Tracer.class).start("through-global")) {
          autoSpan = span.spanId();
        }
        try (Span span = own.getInstance(Tracer.class).start("through-own")) {
          assertThat(span.context().isValid()).isTrue();
        }
        assertThat(global.spans).extracting(io.opentelemetry.sdk.trace.data.SpanData::getSpanId).containsExactly(autoSpan);
        Set<HealthCheck> checks = auto.getInstance(Key.get(new TypeLiteral<Set<HealthCheck>>() {}));
        assertThat(checks).filteredOn(h -> h.name().equals("tracing")).singleElement()
            .satisfies(h -> assertThat(h.check().healthy()).isTrue())
            .satisfies(h -> assertThat(h.check().message()).contains("global OpenTelemetry"));
      } finally {
        io.opentelemetry.api.GlobalOpenTelemetry.resetForTest();
        agentLike.close();
      }
    }

    @Test
    void anAttributeMapThatThrowsWhileReadIsRecordedNotThrown() {
      TestSupport.CapturingExporter captured = new TestSupport.CapturingExporter();
      Tracer tracer = TestSupport.injector("tracing:\n  exporter: none\n", Map.of(), TestSupport.capturing(captured))
          .getInstance(Tracer.class);
      Map<String, Object> broken = new java.util.AbstractMap<>() {
        @Override
        public Set<Entry<String, Object>> entrySet() {
          throw new java.util.ConcurrentModificationException("changed while read");
        }
      };
      hyperion.TraceContext other;
      try (Span span = tracer.start("other")) {
        other = span.context();
      }
      try (Span span = tracer.spanBuilder("broken").link(other, broken).start()) {
        span.addEvent("evented", broken);
      }
      var data = captured.spans.stream().filter(s -> s.getName().equals("broken")).findFirst().orElseThrow();
      String error = "java.util.ConcurrentModificationException: changed while read";
      assertThat(data.getEvents().get(0).getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(
          "hyperion.attributes.error"))).isEqualTo(error);
      assertThat(data.getLinks().get(0).getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(
          "hyperion.attributes.error"))).isEqualTo(error);
    }

    @Test
    void aNoopGlobalRegisteredByAnEarlyGetIsNotUsed() {
      io.opentelemetry.api.GlobalOpenTelemetry.get(); // what a library calling get() first does: registers a no-op
      try {
        assertThat(io.opentelemetry.api.GlobalOpenTelemetry.isSet()).isTrue();
        Injector auto = TestSupport.injector("tracing:\n  exporter: none\n", Map.of());
        assertThat(auto.getInstance(TracingRuntime.class).usesGlobal()).isFalse();
        try (Span span = auto.getInstance(Tracer.class).start("own")) {
          assertThat(span.context().isValid()).isTrue();
        }
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(
            () -> TestSupport.injector("tracing:\n  sdk: global\n", Map.of()));
        assertThat(t).hasMessageContaining("tracing.sdk").hasMessageContaining("with a tracer provider");
      } finally {
        io.opentelemetry.api.GlobalOpenTelemetry.resetForTest();
      }
    }

    @Test
    void loggingExporterLineShowsLinks() {
      TestSupport.CapturingExporter captured = new TestSupport.CapturingExporter();
      Tracer tracer = TestSupport.injector("tracing:\n  exporter: none\n", Map.of(), TestSupport.capturing(captured))
          .getInstance(Tracer.class);
      hyperion.TraceContext first;
      try (Span producer = tracer.start("producer")) {
        first = producer.context();
      }
      try (Span consumer = tracer.spanBuilder("consumer").link(first).start()) {
        consumer.setAttribute("k", "v");
      }
      assertThat(LoggingSpanExporter.format(captured.spans.get(1)))
          .startsWith("span 'consumer' internal trace_id=")
          .contains(" links=[" + first.traceId() + "-" + first.spanId() + "]");
    }

    @Test
    void loggingExporterWritesOneLinePerSpan() throws Exception {
      try (Hyperion app = Hyperion.start(Config.fromYaml("tracing:\n  exporter: logging\n  batch:\n    delay: 10ms\n"),
          new OtelModule(Map.of()))) {
        Tracer tracer = app.context().tracer();
        try (Span span = tracer.start("logged")) {
          span.setAttribute("k", "v");
        }
        TracingRuntime runtime = app.injector().getInstance(TracingRuntime.class);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (runtime.queueGate().exported() < 1 && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(runtime.queueGate().exported()).isEqualTo(1);
      }
    }
  }

  @Nested
  class Configuration {
    private ConfigException startFailure(String yaml, Map<String, String> env) {
      Throwable t = org.assertj.core.api.Assertions.catchThrowable(
          () -> Hyperion.start(Config.fromYaml(yaml), new OtelModule(env)).close());
      assertThat(t).isInstanceOf(ConfigException.class);
      return (ConfigException) t;
    }

    @Test
    void unknownExporterNamesTheKey() {
      ConfigException e = startFailure("tracing:\n  exporter: jeager\n", Map.of());
      assertThat(e.key()).isEqualTo("tracing.exporter");
      assertThat(e.getMessage()).contains("'jeager'").contains("otlp, jaeger, zipkin, logging, none");
    }

    @Test
    void unknownZipkinEncodingNamesTheKey() {
      ConfigException e = startFailure("tracing:\n  exporter: zipkin\n  zipkin_encoding: thrift\n", Map.of());
      assertThat(e.key()).isEqualTo("tracing.zipkin_encoding");
      assertThat(e.getMessage()).contains("'thrift'").contains("proto3, json");
    }

    @Test
    void malformedEndpointNamesTheKey() {
      assertThat(startFailure("tracing:\n  endpoint: localhost:4317\n", Map.of()).key()).isEqualTo("tracing.endpoint");
      assertThat(startFailure("tracing:\n  endpoint: 'http://'\n", Map.of()).key()).isEqualTo("tracing.endpoint");
    }

    @Test
    void sampleRateOutsideZeroToOneNamesTheKey() {
      assertThat(startFailure("tracing:\n  sample_rate: 1.5\n", Map.of()).key()).isEqualTo("tracing.sample_rate");
      assertThat(startFailure("tracing:\n  sample_rate: -0.1\n", Map.of()).key()).isEqualTo("tracing.sample_rate");
    }

    @Test
    void nestedAndOtherKeysAreValidated() {
      assertThat(startFailure("tracing:\n  batch:\n    queue_size: 10\n    max_batch_size: 20\n", Map.of()).key())
          .isEqualTo("tracing.batch.max_batch_size");
      assertThat(startFailure("tracing:\n  protocol: thrift\n", Map.of()).key()).isEqualTo("tracing.protocol");
      assertThat(startFailure("tracing:\n  tls:\n    trusted_certificates: /nonexistent.pem\n", Map.of()).key())
          .isEqualTo("tracing.tls.trusted_certificates");
      assertThat(startFailure("tracing:\n  colour: blue\n", Map.of()).key()).isEqualTo("tracing.colour");
    }

    @Test
    void sdkAndLogsKeysAreValidated() {
      assertThat(startFailure("tracing:\n  sdk: agent\n", Map.of()).getMessage())
          .contains("tracing.sdk").contains("'agent'").contains("auto, own, global");
      ConfigException global = startFailure("tracing:\n  sdk: global\n", Map.of());
      assertThat(global.key()).isEqualTo("tracing.sdk");
      assertThat(global.getMessage()).contains("GlobalOpenTelemetry with a tracer provider is registered");
      ConfigException logs = startFailure("tracing:\n  exporter: zipkin\n  logs:\n    enabled: true\n", Map.of());
      assertThat(logs.key()).isEqualTo("tracing.logs.enabled");
      assertThat(logs.getMessage()).contains("exporter otlp").contains("exporter is zipkin");
      assertThat(startFailure("tracing:\n  logs:\n    level: verbose\n", Map.of()).key()).isEqualTo("tracing.logs.level");
    }

    @Test
    void logsWithoutTheLogbackAppenderOnTheClassPathFailNamingTheKey() throws Exception {
      String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
          .filter(entry -> !entry.contains("opentelemetry-logback-appender"))
          .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
      Process child = new ProcessBuilder(TestSupport.javaBin(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", classPath,
          StartChildMain.class.getName(), "tracing:\n  endpoint: http://127.0.0.1:9\n  logs:\n    enabled: true\n")
          .redirectErrorStream(true).start();
      String output = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(output).as(output).contains("FAILED invalid configuration: tracing.logs.enabled = 'true': true only "
          + "with io.opentelemetry.instrumentation:opentelemetry-logback-appender-1.0 on the class path");
    }

    @Test
    void badOtelVariablesNameTheVariable() {
      assertThat(startFailure("", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317")).key())
          .isEqualTo("OTEL_EXPORTER_OTLP_ENDPOINT");
      assertThat(startFailure("", Map.of("OTEL_TRACES_SAMPLER", "sometimes")).key()).isEqualTo("OTEL_TRACES_SAMPLER");
      assertThat(startFailure("", Map.of("OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "2")).key())
          .isEqualTo("OTEL_TRACES_SAMPLER_ARG");
      // Read and typed by OpenTelemetry's ConfigProperties; the value is reported as written.
      assertThat(startFailure("", Map.of("OTEL_TRACES_SAMPLER", "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG",
          "half")).getMessage())
          .isEqualTo("invalid configuration: OTEL_TRACES_SAMPLER_ARG = 'half': a number from 0.0 to 1.0");
    }

    @Test
    void otelVariablesFillUnsetKeysAndYamlWins() {
      Map<String, String> env = Map.of("OTEL_SERVICE_NAME", "from-env", "OTEL_EXPORTER_OTLP_ENDPOINT",
          "http://collector:4318", "OTEL_TRACES_SAMPLER", "always_off");
      Settings fromEnv = Settings.resolve(Config.fromYaml("tracing:\n  protocol: http/protobuf\n"), env);
      assertThat(fromEnv.serviceName()).isEqualTo("from-env");
      assertThat(fromEnv.endpoint()).isEqualTo("http://collector:4318/v1/traces");
      assertThat(fromEnv.samplerDescription()).isEqualTo("always_off");

      Settings yamlWins = Settings.resolve(Config.fromYaml("""
          service:
            name: from-yaml
          tracing:
            endpoint: http://yaml:4317
            sample_rate: 0.25
          """), env);
      assertThat(yamlWins.serviceName()).isEqualTo("from-yaml");
      assertThat(yamlWins.endpoint()).isEqualTo("http://yaml:4317");
      assertThat(yamlWins.samplerDescription()).isEqualTo("parentbased_traceidratio(0.25)");
    }

    @Test
    void samplerFromTheEnvironmentApplies() {
      Injector injector = TestSupport.injector("tracing:\n  exporter: none\n", Map.of("OTEL_TRACES_SAMPLER", "always_off"));
      try (Span span = injector.getInstance(Tracer.class).start("unsampled")) {
        assertThat(span.isSampled()).isFalse();
        assertThat(span.context().isValid()).isTrue();
      }
    }

    @Test
    void defaultEndpointsPerExporter() {
      assertThat(Settings.resolve(Config.fromYaml(""), Map.of()).endpoint()).isEqualTo("http://localhost:4317");
      assertThat(Settings.resolve(Config.fromYaml("tracing:\n  exporter: jaeger\n"), Map.of()).endpoint())
          .isEqualTo("http://localhost:4317");
      assertThat(Settings.resolve(Config.fromYaml("tracing:\n  exporter: JAEGER\n  protocol: http/protobuf\n"), Map.of())
          .endpoint()).isEqualTo("http://localhost:4318/v1/traces");
      assertThat(Settings.resolve(Config.fromYaml("tracing:\n  exporter: zipkin\n"), Map.of()).endpoint())
          .isEqualTo("http://localhost:9411/api/v2/spans");
      assertThat(Settings.resolve(Config.fromYaml("tracing:\n  exporter: zipkin\n  endpoint: http://z:9411/\n"), Map.of())
          .endpoint()).isEqualTo("http://z:9411/api/v2/spans");
      // OTEL_EXPORTER_OTLP_ENDPOINT is for OTLP only.
      assertThat(Settings.resolve(Config.fromYaml("tracing:\n  exporter: zipkin\n"),
          Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317")).endpoint()).isEqualTo("http://localhost:9411/api/v2/spans");
    }

    @Test
    void defaultsAreValid() {
      assertThat(Config.defaults().section("tracing", TracingConfig.class, TracingConfig.DEFAULTS))
          .isEqualTo(TracingConfig.DEFAULTS);
      assertThatThrownBy(() -> new TracingConfig.Batch(0, 1, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("queue_size");
    }
  }
}
