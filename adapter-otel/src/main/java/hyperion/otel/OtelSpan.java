package hyperion.otel;

import hyperion.Span;
import hyperion.StatusCode;
import hyperion.TraceContext;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.context.Scope;
import java.util.Map;
import org.slf4j.MDC;

/**
 * A {@link Span} over an OpenTelemetry span. Holds the scope that made it current and the MDC
 * values it replaced, so {@link #close()} can restore both on the starting thread.
 */
final class OtelSpan implements Span {
  static final String MDC_TRACE_ID = "trace_id";
  static final String MDC_SPAN_ID = "span_id";

  /** The span returned by {@code currentSpan()} when there is none. */
  static final OtelSpan INVALID = new OtelSpan(io.opentelemetry.api.trace.Span.getInvalid(), null, null, null, null);

  private final io.opentelemetry.api.trace.Span span;
  /** The scope to close on {@link #close()}; null for spans we did not make current. */
  private final Scope scope;
  private final Thread owner;
  private final String previousTraceId;
  private final String previousSpanId;
  private TraceContext context;
  /** Only read and written by the owner thread. */
  private boolean scopeClosed;

  OtelSpan(io.opentelemetry.api.trace.Span span, Scope scope, Thread owner, String previousTraceId,
      String previousSpanId) {
    this.span = span;
    this.scope = scope;
    this.owner = owner;
    this.previousTraceId = previousTraceId;
    this.previousSpanId = previousSpanId;
  }

  /** Wraps a span that some other code made current; closing it only ends it. */
  static OtelSpan wrap(io.opentelemetry.api.trace.Span span) {
    return span.getSpanContext().isValid() ? new OtelSpan(span, null, null, null, null) : INVALID;
  }

  /** Makes {@code span} current in {@code base} and puts its ids in the MDC. */
  static OtelSpan makeCurrent(io.opentelemetry.api.trace.Span span, io.opentelemetry.context.Context base) {
    Scope scope = base.with(span).makeCurrent();
    String prevTrace = null;
    String prevSpan = null;
    try {
      prevTrace = MDC.get(MDC_TRACE_ID);
      prevSpan = MDC.get(MDC_SPAN_ID);
      if (span.getSpanContext().isValid()) {
        MDC.put(MDC_TRACE_ID, span.getSpanContext().getTraceId());
        MDC.put(MDC_SPAN_ID, span.getSpanContext().getSpanId());
      }
    } catch (RuntimeException e) {
      Tracing.warnOnce("MDC", e); // a broken MDC adapter must not break tracing
    }
    return new OtelSpan(span, scope, Thread.currentThread(), prevTrace, prevSpan);
  }

  io.opentelemetry.api.trace.Span delegate() {
    return span;
  }

  @Override
  public Span updateName(String name) {
    if (name != null) {
      span.updateName(name);
    }
    return this;
  }

  @Override
  public Span setAttribute(String key, String value) {
    if (key != null && value != null) {
      span.setAttribute(key, value);
    }
    return this;
  }

  @Override
  public Span setAttribute(String key, long value) {
    if (key != null) {
      span.setAttribute(key, value);
    }
    return this;
  }

  @Override
  public Span setAttribute(String key, double value) {
    if (key != null) {
      span.setAttribute(key, value);
    }
    return this;
  }

  @Override
  public Span setAttribute(String key, boolean value) {
    if (key != null) {
      span.setAttribute(key, value);
    }
    return this;
  }

  @Override
  public Span addEvent(String name) {
    if (name != null) {
      span.addEvent(name);
    }
    return this;
  }

  @Override
  public Span addEvent(String name, Map<String, ?> attributes) {
    if (name == null) {
      return this;
    }
    if (attributes == null || attributes.isEmpty()) {
      span.addEvent(name);
      return this;
    }
    try {
      span.addEvent(name, toAttributes(attributes));
    } catch (RuntimeException e) {
      Tracing.warnOnce("addEvent", e); // e.g. a map whose iteration fails
    }
    return this;
  }

  static Attributes toAttributes(Map<String, ?> attributes) {
    AttributesBuilder b = Attributes.builder();
    for (Map.Entry<String, ?> e : attributes.entrySet()) {
      String k = e.getKey();
      Object v = e.getValue();
      if (k == null || v == null) {
        continue;
      }
      if (v instanceof String s) {
        b.put(k, s);
      } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        b.put(k, ((Number) v).longValue());
      } else if (v instanceof Double || v instanceof Float) {
        b.put(k, ((Number) v).doubleValue());
      } else if (v instanceof Boolean bool) {
        b.put(k, bool);
      } else {
        b.put(k, String.valueOf(v));
      }
    }
    return b.build();
  }

  @Override
  public Span recordError(Throwable error) {
    if (error != null) {
      span.recordException(error);
      span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR,
          error.getMessage() != null ? error.getMessage() : error.getClass().getName());
    }
    return this;
  }

  @Override
  public Span setStatus(StatusCode status, String description) {
    if (status != null) {
      io.opentelemetry.api.trace.StatusCode code = switch (status) {
        case OK -> io.opentelemetry.api.trace.StatusCode.OK;
        case ERROR -> io.opentelemetry.api.trace.StatusCode.ERROR;
        case UNSET -> io.opentelemetry.api.trace.StatusCode.UNSET;
      };
      if (description == null) {
        span.setStatus(code);
      } else {
        span.setStatus(code, description);
      }
    }
    return this;
  }

  @Override
  public TraceContext context() {
    TraceContext c = context;
    if (c == null) {
      // Racy but benign: every thread computes an equal value.
      c = span.getSpanContext().isValid() ? new OtelTraceContext(span.getSpanContext(), null) : TraceContext.INVALID;
      context = c;
    }
    return c;
  }

  @Override
  public boolean isRecording() {
    return span.isRecording();
  }

  @Override
  public void end() {
    span.end(); // the SDK ignores (and debug-logs) a second end
  }

  @Override
  public void close() {
    try {
      span.end();
    } catch (RuntimeException e) {
      Tracing.warnOnce("end", e);
    }
    // The scope is thread-local state of the starting thread: closing it elsewhere would corrupt
    // that other thread's current span, so a foreign close only ends the span and the owner's
    // later close still restores its thread.
    if (scope == null || owner != Thread.currentThread() || scopeClosed) {
      return;
    }
    scopeClosed = true;
    try {
      scope.close();
    } catch (RuntimeException e) {
      Tracing.warnOnce("scope", e);
    }
    restoreMdc();
  }

  private void restoreMdc() {
    try {
      if (previousTraceId == null) {
        MDC.remove(MDC_TRACE_ID);
        MDC.remove(MDC_SPAN_ID);
      } else {
        MDC.put(MDC_TRACE_ID, previousTraceId);
        MDC.put(MDC_SPAN_ID, previousSpanId);
      }
    } catch (RuntimeException e) {
      Tracing.warnOnce("MDC", e);
    }
  }

  @Override
  public String toString() {
    return "Span[" + span + "]";
  }
}
