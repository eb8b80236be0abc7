package hyperion;

import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * The tracing port. Starts spans, tracks the current span per thread, carries it across threads
 * and propagates it across processes with W3C Trace Context.
 *
 * <p>Bound by default to a no-op implementation; installing an adapter module such as {@code
 * hyperion.otel.OtelModule} replaces it. No method throws because of tracing failures.
 */
public interface Tracer {

  /** Starts an {@link SpanKind#INTERNAL} span, child of the current span, and makes it current. */
  Span start(String name);

  /** A builder for a span with a kind, attributes or an explicit parent. */
  SpanBuilder spanBuilder(String name);

  /** The current span on this thread, or a non-recording span with {@link TraceContext#INVALID}. */
  Span currentSpan();

  /**
   * Runs {@code block} inside a new span named {@code name}; an exception is recorded on the span
   * and rethrown.
   */
  default void inSpan(String name, Runnable block) {
    try (Span span = start(name)) {
      try {
        block.run();
      } catch (RuntimeException | Error e) {
        span.recordError(e);
        throw e;
      }
    }
  }

  /**
   * Computes a value inside a new span named {@code name}; an exception is recorded on the span
   * and rethrown.
   */
  default <T> T inSpan(String name, Supplier<T> block) {
    try (Span span = start(name)) {
      try {
        return block.get();
      } catch (RuntimeException | Error e) {
        span.recordError(e);
        throw e;
      }
    }
  }

  /**
   * Writes the current span's context (W3C {@code traceparent}, {@code tracestate} and baggage)
   * into {@code carrier}. Does nothing when there is no valid current span.
   */
  <C> void inject(C carrier, TextMapSetter<C> setter);

  /**
   * Reads a remote span context from {@code carrier}; {@link TraceContext#INVALID} when the
   * carrier holds none or a malformed one. Pass the result to {@link SpanBuilder#parent}.
   */
  <C> TraceContext extract(C carrier, TextMapGetter<C> getter);

  /** Wraps {@code task} so that it runs with the span that is current now, on whatever thread. */
  Runnable wrap(Runnable task);

  /** Wraps {@code task} so that it runs with the span that is current now, on whatever thread. */
  <T> Callable<T> wrap(Callable<T> task);

  /** An executor that runs every task with the span that was current when it was submitted. */
  Executor wrap(Executor executor);

  /** An executor service that runs every task with the span current at submission. */
  ExecutorService wrap(ExecutorService executor);
}
