package hyperion;

import java.util.Map;

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

  /**
   * Links the span to another span that is not its parent: the producer of a message a consumer
   * handles, or each message of a batch processed at once. The linked span may be in another trace.
   * An invalid or {@code null} context is ignored. Returns this builder.
   */
  SpanBuilder link(TraceContext linked);

  /**
   * Like {@link #link(TraceContext)}, with attributes describing the link (typed as in {@link
   * Span#addEvent(String, Map)}).
   */
  SpanBuilder link(TraceContext linked, Map<String, ?> attributes);

  /** Starts the span and makes it current on this thread until {@link Span#close()}. */
  Span start();
}
