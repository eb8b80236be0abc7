package hyperion;

import java.util.Map;

/**
 * A timed operation in a trace. A span returned by {@link Tracer#start} or {@link
 * SpanBuilder#start()} is already current on the calling thread; {@link #close()} ends it and
 * restores the span that was current before, so the idiomatic use is:
 *
 * <pre>{@code
 * try (Span span = tracer.start("UserService.get")) {
 *   span.setAttribute("user.id", id);
 *   return repository.find(id);
 * }
 * }</pre>
 *
 * <p>No method throws, and every method is safe to call after the span has ended (it is then
 * ignored), so instrumentation can never break the instrumented code.
 */
public interface Span extends AutoCloseable {

  /** Sets a string attribute; a {@code null} value is ignored. Returns this span. */
  Span setAttribute(String key, String value);

  /** Sets a long attribute. Returns this span. */
  Span setAttribute(String key, long value);

  /** Sets a double attribute. Returns this span. */
  Span setAttribute(String key, double value);

  /** Sets a boolean attribute. Returns this span. */
  Span setAttribute(String key, boolean value);

  /**
   * Renames the span, for names only known after it started (an HTTP server span becomes {@code GET
   * /users/{id}} once routing matched). Adapters that cannot rename ignore it. Returns this span.
   */
  default Span updateName(String name) {
    return this;
  }

  /** Adds a timestamped event. Returns this span. */
  Span addEvent(String name);

  /**
   * Adds a timestamped event with attributes. Values of type {@link String}, {@link Long}, {@link
   * Integer}, {@link Double}, {@link Float} and {@link Boolean} keep their type; anything else is
   * recorded as its {@code toString()}. Returns this span.
   */
  Span addEvent(String name, Map<String, ?> attributes);

  /**
   * Records a failure: an {@code exception} event with type, message and stack trace, and the
   * status set to {@link StatusCode#ERROR}. Returns this span.
   */
  Span recordError(Throwable error);

  /** Sets the status; {@code description} may be {@code null}. Returns this span. */
  Span setStatus(StatusCode status, String description);

  /** The propagatable identity of this span. */
  TraceContext context();

  /** Shortcut for {@code context().traceId()}. */
  default String traceId() {
    return context().traceId();
  }

  /** Shortcut for {@code context().spanId()}. */
  default String spanId() {
    return context().spanId();
  }

  /** Shortcut for {@code context().isSampled()}. */
  default boolean isSampled() {
    return context().isSampled();
  }

  /** Whether this span is still recording (started, not ended, sampled). */
  boolean isRecording();

  /**
   * Ends the span without touching the current-span scope. Use it for spans handed to another
   * thread; use {@link #close()} on the thread that started the span.
   */
  void end();

  /** Ends the span and restores the previously current span on this thread. Never throws. */
  @Override
  void close();
}
