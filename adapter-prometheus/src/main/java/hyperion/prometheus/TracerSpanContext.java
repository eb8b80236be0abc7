package hyperion.prometheus;

import jakarta.inject.Provider;
import hyperion.Span;
import hyperion.Tracer;
import io.prometheus.metrics.tracer.common.SpanContext;
import io.prometheus.metrics.tracer.initializer.SpanContextSupplier;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Feeds client_java's exemplar sampler from the bound {@link Tracer} port, so this adapter needs
 * no OpenTelemetry dependency. The client samples at most one exemplar per data point and sample
 * interval, and only then asks for the span: the tracer is not consulted on every observation.
 *
 * <p>client_java reads the span context from one JVM-wide hook ({@link SpanContextSupplier}); the
 * most recently created {@link PrometheusMetrics} with exemplars enabled owns it. One Hyperion
 * application per JVM is the normal case; tests that build several injectors get the latest one.
 */
final class TracerSpanContext implements SpanContext {

  private static final Logger LOG = System.getLogger(TracerSpanContext.class.getName());
  private static final TracerSpanContext INSTANCE = new TracerSpanContext();

  // The tracer is resolved lazily through a Provider: Tracer adapters may themselves declare
  // metrics, so resolving it while Metrics is built would be a cycle.
  private volatile Provider<Tracer> tracer;
  private volatile boolean failureLogged;

  private TracerSpanContext() {}

  /** Makes {@code tracer} the source of exemplar ids for every metric in this JVM. */
  static void install(Provider<Tracer> tracer) {
    INSTANCE.tracer = tracer;
    SpanContextSupplier.setSpanContext(INSTANCE);
  }

  private Span current() {
    Provider<Tracer> t = tracer;
    if (t == null) {
      return null;
    }
    try {
      return t.get().currentSpan();
    } catch (RuntimeException e) {
      // Metrics must never fail because tracing does: no exemplar this time.
      if (!failureLogged) {
        failureLogged = true;
        LOG.log(Level.WARNING, "cannot read the current span for exemplars; observations carry none", e);
      }
      return null;
    }
  }

  @Override
  public String getCurrentTraceId() {
    Span s = current();
    return s != null && s.context().isValid() ? s.traceId() : null;
  }

  @Override
  public String getCurrentSpanId() {
    Span s = current();
    return s != null && s.context().isValid() ? s.spanId() : null;
  }

  @Override
  public boolean isCurrentSpanSampled() {
    Span s = current();
    return s != null && s.isSampled() && s.context().isValid();
  }

  @Override
  public void markCurrentSpanAsExemplar() {
    Span s = current();
    if (s != null) {
      // Tells trace backends with tail sampling to keep this trace: a metric points at it.
      s.setAttribute(EXEMPLAR_ATTRIBUTE_NAME, EXEMPLAR_ATTRIBUTE_VALUE);
    }
  }
}
