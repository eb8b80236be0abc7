package hyperion.otel;

import hyperion.Span;
import hyperion.StatusCode;
import hyperion.TraceContext;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.context.Scope;
import java.util.Map;

/**
 * A {@link Span} over an OpenTelemetry span, holding the scope that made it current so {@link
 * #close()} can restore the previous context on the starting thread.
 *
 * <p>Log correlation needs nothing from here: the span is current in OpenTelemetry's {@link
 * io.opentelemetry.context.Context}, which logging integrations read when an event is created.
 * Three reference fields keep the object at 24 bytes (compressed oops), the whole cost of the port
 * over the SDK per span.
 */
final class OtelSpan implements Span {
  /** The span returned by {@code currentSpan()} when there is none. */
  static final OtelSpan INVALID = new OtelSpan(io.opentelemetry.api.trace.Span.getInvalid(), null, null);

  private final io.opentelemetry.api.trace.Span span;
  /** The thread whose context {@link #scope} changed; null for spans we did not make current. */
  private final Thread owner;
  /** The scope to close on {@link #close()}; null once closed. Only the owner thread reads or writes it. */
  private Scope scope;

  private OtelSpan(io.opentelemetry.api.trace.Span span, Scope scope, Thread owner) {
    this.span = span;
    this.scope = scope;
    this.owner = owner;
  }

  /** Wraps a span that some other code made current; closing it only ends it. */
  static OtelSpan wrap(io.opentelemetry.api.trace.Span span) {
    return span.getSpanContext().isValid() ? new OtelSpan(span, null, null) : INVALID;
  }

  /** Makes {@code span} current in {@code base} on this thread. */
  static OtelSpan makeCurrent(io.opentelemetry.api.trace.Span span, io.opentelemetry.context.Context base) {
    return new OtelSpan(span, base.with(span).makeCurrent(), Thread.currentThread());
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
      span.setAttribute(AttributeKeys.string(key), value);
    }
    return this;
  }

  @Override
  public Span setAttribute(String key, long value) {
    if (key != null) {
      span.setAttribute(AttributeKeys.longKey(key), value);
    }
    return this;
  }

  @Override
  public Span setAttribute(String key, double value) {
    if (key != null) {
      span.setAttribute(AttributeKeys.doubleKey(key), value);
    }
    return this;
  }

  @Override
  public Span setAttribute(String key, boolean value) {
    if (key != null) {
      span.setAttribute(AttributeKeys.booleanKey(key), value);
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
    if (attributes == null) {
      span.addEvent(name);
      return this;
    }
    span.addEvent(name, toAttributes(attributes));
    return this;
  }

  /**
   * Converts the port's attribute map. A map that fails while being read (a concurrent
   * modification, say) must not fail the caller: the entries read so far are kept and the failure
   * is recorded as attribute {@code hyperion.attributes.error}, where whoever reads the trace sees it.
   */
  static Attributes toAttributes(Map<String, ?> attributes) {
    AttributesBuilder b = Attributes.builder();
    try {
      if (attributes.isEmpty()) {
        return Attributes.empty();
      }
      putAll(b, attributes);
    } catch (RuntimeException e) {
      b.put("hyperion.attributes.error", e.toString());
    }
    return b.build();
  }

  private static void putAll(AttributesBuilder b, Map<String, ?> attributes) {
    for (Map.Entry<String, ?> e : attributes.entrySet()) {
      String k = e.getKey();
      Object v = e.getValue();
      if (k == null || v == null) {
        continue;
      }
      if (v instanceof String s) {
        b.put(AttributeKeys.string(k), s);
      } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        b.put(AttributeKeys.longKey(k), ((Number) v).longValue());
      } else if (v instanceof Double || v instanceof Float) {
        b.put(AttributeKeys.doubleKey(k), ((Number) v).doubleValue());
      } else if (v instanceof Boolean bool) {
        b.put(AttributeKeys.booleanKey(k), bool);
      } else {
        b.put(AttributeKeys.string(k), String.valueOf(v));
      }
    }
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
    io.opentelemetry.api.trace.SpanContext c = span.getSpanContext();
    return c.isValid() ? new OtelTraceContext(c, null) : TraceContext.INVALID;
  }

  // The shortcuts read the span context directly, so asking for an id allocates nothing.
  @Override
  public String traceId() {
    return span.getSpanContext().getTraceId();
  }

  @Override
  public String spanId() {
    return span.getSpanContext().getSpanId();
  }

  @Override
  public boolean isSampled() {
    return span.getSpanContext().isSampled();
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
    span.end();
    // The scope is thread-local state of the starting thread: closing it elsewhere would corrupt
    // that other thread's context (it may run a task wrapped with this very context), so a foreign
    // close only ends the span and the owner's later close still restores its thread.
    if (owner != Thread.currentThread()) {
      return;
    }
    Scope s = scope;
    if (s != null) {
      scope = null;
      s.close();
    }
  }

  @Override
  public String toString() {
    return "Span[" + span + "]";
  }
}
