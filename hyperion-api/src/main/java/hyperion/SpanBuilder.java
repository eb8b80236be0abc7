package hyperion;

/**
 * Configures a span before it starts. Obtained from {@link Tracer#spanBuilder(String)}; a builder
 * is single-use and not thread-safe.
 */
public interface SpanBuilder {

  /** Sets the kind; {@link SpanKind#INTERNAL} when not called. */
  SpanBuilder kind(SpanKind kind);

  /** Sets an explicit parent instead of the current span (for example one from {@link Tracer#extract}). */
  SpanBuilder parent(TraceContext parent);

  /** Starts a new trace, ignoring the current span. */
  SpanBuilder noParent();

  /** Sets a string attribute before start, so samplers can see it. */
  SpanBuilder attribute(String key, String value);

  /** Sets a long attribute before start. */
  SpanBuilder attribute(String key, long value);

  /** Sets a double attribute before start. */
  SpanBuilder attribute(String key, double value);

  /** Sets a boolean attribute before start. */
  SpanBuilder attribute(String key, boolean value);

  /** Starts the span and makes it current on this thread until {@link Span#close()}. */
  Span start();
}
