package hyperion.otel;

import hyperion.Component;
import hyperion.Metrics;
import hyperion.config.ConfigSections;
import hyperion.config.ConfigException;
import hyperion.internal.RateLimitedLog;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracing of one injector: the {@link OpenTelemetry} spans go through ({@link OwnSdk}, or the
 * registered {@code GlobalOpenTelemetry} of the OpenTelemetry Java agent, per {@code tracing.sdk})
 * and the {@link OtelTracer} over it. As a {@link Component} of phase {@link
 * Component#PHASE_TELEMETRY} it is stopped last, flushing what the other components traced while
 * stopping.
 */
@Singleton
final class TracingRuntime implements Component {
  private static final Logger LOG = LoggerFactory.getLogger(TracingRuntime.class);
  /** A failure of one kind is logged at most once per this interval (with the count suppressed since). */
  static final long FAILURE_LOG_INTERVAL_MILLIS = 10_000;

  private final Settings settings;
  private final Duration shutdownTimeout;
  /** This injector's SDK; null when spans go through the global (agent's) OpenTelemetry. */
  private final OwnSdk own;
  private final OpenTelemetry openTelemetry;
  private final OtelTracer tracer;
  private final int ignoredProcessors;
  private volatile boolean stopped;

  @Inject
  TracingRuntime(ConfigSections sections, Metrics metrics, OtelEnvironment env, Set<SpanProcessor> extraProcessors) {
    boolean global = useGlobal(sections.get(TracingConfig.SECTION).sdk());
    // Beside the agent, its configuration decides sampling and export: OTEL_* is not checked here.
    this.settings = global ? Settings.besideGlobal(sections) : Settings.resolve(sections, env.values());
    this.shutdownTimeout = sections.config().service().shutdownTimeout();
    // Failures the caller must not see (a throwing carrier or span processor, a failed export):
    // logged per injector, at most once per kind and interval.
    RateLimitedLog log = new RateLimitedLog(System.getLogger(TracingRuntime.class.getName()),
        FAILURE_LOG_INTERVAL_MILLIS);
    BiConsumer<String, Throwable> failures = (what, e) -> log.warn(what, () -> "tracing: " + what + " failed", e);
    if (global) {
      this.own = null;
      this.openTelemetry = GlobalOpenTelemetry.get();
      this.ignoredProcessors = extraProcessors.size();
    } else {
      this.own = new OwnSdk(settings, metrics, extraProcessors, failures);
      this.openTelemetry = own.sdk();
      this.ignoredProcessors = 0;
    }
    this.tracer = new OtelTracer(openTelemetry.getTracer("hyperion", settings.serviceVersion()),
        openTelemetry.getPropagators().getTextMapPropagator(), failures);
  }

  /** {@code auto} means global when a real one is registered. */
  private static boolean useGlobal(TracingConfig.Sdk sdk) {
    return switch (sdk) {
      case OWN -> false;
      case AUTO -> globalRegistered();
      case GLOBAL -> {
        ConfigException.require(globalRegistered(), "tracing.sdk", "global",
            "global only when a GlobalOpenTelemetry with a tracer provider is registered before the injector is "
            + "created (run with the OpenTelemetry Java agent, or call GlobalOpenTelemetry.set first); use auto "
            + "or own otherwise");
        yield true;
      }
    };
  }

  /**
   * Whether a GlobalOpenTelemetry that records spans is registered. {@link GlobalOpenTelemetry#isSet()}
   * is checked first because {@code get()} registers a no-op when none is; a library that called
   * {@code get()} before us has done exactly that, and a no-op is no SDK to use.
   */
  private static boolean globalRegistered() {
    return GlobalOpenTelemetry.isSet() && GlobalOpenTelemetry.get().getTracerProvider() != TracerProvider.noop();
  }

  OtelTracer tracer() {
    return tracer;
  }

  OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** Whether spans go through the global (agent's) OpenTelemetry rather than this injector's SDK. */
  boolean usesGlobal() {
    return own == null;
  }

  /** The span queue gate (bound and counters) of this injector's SDK; null when the global one is used. */
  SpanQueueGate queueGate() {
    return own == null ? null : own.queueGate();
  }

  Settings settings() {
    return settings;
  }

  String exporterDescription() {
    return own == null ? "of the global OpenTelemetry (Java agent)" : own.exporterDescription();
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
    if (own == null) {
      LOG.info("tracing: service {} uses the global OpenTelemetry ({}): its sampler, processors and exporter apply; "
          + "tracing.exporter, endpoint, sample_rate, batch and logs are not used", settings.serviceName(),
          openTelemetry.getClass().getName());
      if (ignoredProcessors > 0) {
        LOG.warn("tracing: {} SpanProcessor binding(s) ignored: the global OpenTelemetry's processors cannot be "
            + "extended from here", ignoredProcessors);
      }
      return;
    }
    LOG.info("tracing: service {} exporting to {}, sampler {}", settings.serviceName(), own.exporterDescription(),
        settings.samplerDescription());
    own.start();
  }

  /**
   * Flushes and shuts down this injector's SDK within {@code service.shutdown_timeout}. The global
   * OpenTelemetry belongs to the agent, which flushes it when the JVM exits.
   */
  @Override
  public void stop() {
    stop(shutdownTimeout);
  }

  /** {@link #stop()} within {@code budget} too, if it is shorter: what the lifecycle left this component. */
  @Override
  public void stop(Duration budget) {
    if (stopped) {
      return;
    }
    stopped = true;
    if (own != null) {
      own.stop(budget.compareTo(shutdownTimeout) < 0 ? budget : shutdownTimeout);
    }
  }

  @Override
  public String toString() {
    return "TracingRuntime[" + exporterDescription() + "]";
  }

  /** The process environment, injectable so tests can feed {@code OTEL_*} variables. */
  record OtelEnvironment(Map<String, String> values) {}
}
