package hyperion.otel;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Component;
import hyperion.HealthCheck;
import hyperion.Tracer;
import hyperion.config.ConfigSection;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Objects;

/**
 * Binds the {@link Tracer} port to the OpenTelemetry SDK, configured by the {@code tracing}
 * section ({@link TracingConfig}). Install it next to {@link hyperion.HyperionModule}:
 *
 * <pre>{@code
 * Hyperion.run(args, new OtelModule(), new UsersModule());
 * }</pre>
 *
 * <p>It also contributes a {@link Component} that flushes and closes the exporter last at shutdown,
 * a {@link HealthCheck} named {@code tracing}, and binds {@link OpenTelemetry} for libraries
 * instrumented with the OpenTelemetry API. With {@code tracing.sdk: own} (or {@code auto} without
 * the OpenTelemetry Java agent) that is an SDK of this injector's own, never registered as {@code
 * GlobalOpenTelemetry}; beside the agent it is the agent's, so one exporter sees every span.
 * Extra {@link SpanProcessor}s can be added with {@code Multibinder.newSetBinder(binder(),
 * SpanProcessor.class)}. The standard {@code OTEL_SERVICE_NAME}, {@code OTEL_EXPORTER_OTLP_ENDPOINT}
 * and {@code OTEL_TRACES_SAMPLER(_ARG)} variables apply where the configuration leaves the key unset.
 *
 * <p>Bad configuration fails when the injector is created, naming the key. All instances are equal,
 * so installing the module twice is harmless.
 */
public final class OtelModule extends AbstractModule {
  private final Map<String, String> environment;

  /** The module reading {@code OTEL_*} variables from this process's environment. */
  public OtelModule() {
    this(null);
  }

  /** The module reading {@code OTEL_*} variables from {@code environment} (null: the process's). */
  OtelModule(Map<String, String> environment) {
    this.environment = environment;
  }

  @Override
  protected void configure() {
    ConfigSection.declare(binder(), TracingConfig.SECTION);
    bind(TracingRuntime.OtelEnvironment.class).toInstance(
        new TracingRuntime.OtelEnvironment(environment == null ? System.getenv() : Map.copyOf(environment)));
    Multibinder.newSetBinder(binder(), SpanProcessor.class);
    // Eager, so configuration errors surface at injector creation in any stage.
    bind(TracingRuntime.class).asEagerSingleton();
    OptionalBinder.newOptionalBinder(binder(), Tracer.class).setBinding().to(OtelTracer.class);
    Multibinder.newSetBinder(binder(), Component.class).addBinding().to(TracingRuntime.class);
    Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(TracingHealthCheck.class);
  }

  @Provides
  @Singleton
  OtelTracer tracer(TracingRuntime runtime) {
    return runtime.tracer();
  }

  @Provides
  @Singleton
  OpenTelemetry openTelemetry(TracingRuntime runtime) {
    return runtime.openTelemetry();
  }

  /** All instances are equal, so a second installation is ignored. */
  @Override
  public boolean equals(Object o) {
    return o instanceof OtelModule;
  }

  /** Consistent with {@link #equals(Object)}. */
  @Override
  public int hashCode() {
    return Objects.hashCode(OtelModule.class);
  }
}
