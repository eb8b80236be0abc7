package hyperion.prometheus;

import hyperion.Span;
import hyperion.SpanBuilder;
import hyperion.StatusCode;
import hyperion.TextMapGetter;
import hyperion.TextMapSetter;
import hyperion.TraceContext;
import hyperion.Tracer;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/**
 * A test double of the {@link Tracer} port: {@link #start} makes a span with fixed ids current on
 * the calling thread until it is closed. Enough for exemplars; propagation is not supported.
 */
final class FixedTracer implements Tracer {

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN_ID = "00f067aa0ba902b7";

  private final ThreadLocal<Span> current = new ThreadLocal<>();
  private final boolean sampled;

  FixedTracer(boolean sampled) {
    this.sampled = sampled;
  }

  @Override
  public Span start(String name) {
    FixedSpan span = new FixedSpan(current.get());
    current.set(span);
    return span;
  }

  @Override
  public Span currentSpan() {
    Span s = current.get();
    return s != null ? s : new FixedSpan(null, TraceContext.INVALID);
  }

  @Override
  public SpanBuilder spanBuilder(String name) {
    throw new UnsupportedOperationException("not needed by these tests");
  }

  @Override
  public <C> void inject(C carrier, TextMapSetter<C> setter) {}

  @Override
  public <C> TraceContext extract(C carrier, TextMapGetter<C> getter) {
    return TraceContext.INVALID;
  }

  @Override
  public Runnable wrap(Runnable task) {
    return task;
  }

  @Override
  public <T> Callable<T> wrap(Callable<T> task) {
    return task;
  }

  @Override
  public Executor wrap(Executor executor) {
    return executor;
  }

  @Override
  public ExecutorService wrap(ExecutorService executor) {
    return executor;
  }

  final class FixedSpan implements Span {
    private final Span previous;
    private final TraceContext context;
    final java.util.Map<String, Object> attributes = new java.util.concurrent.ConcurrentHashMap<>();

    FixedSpan(Span previous) {
      this(previous, new TraceContext() {
        @Override public String traceId() { return TRACE_ID; }
        @Override public String spanId() { return SPAN_ID; }
        @Override public boolean isSampled() { return sampled; }
        @Override public boolean isRemote() { return false; }
      });
    }

    FixedSpan(Span previous, TraceContext context) {
      this.previous = previous;
      this.context = context;
    }

    @Override public Span setAttribute(String key, String value) { attributes.put(key, value); return this; }
    @Override public Span setAttribute(String key, long value) { attributes.put(key, value); return this; }
    @Override public Span setAttribute(String key, double value) { attributes.put(key, value); return this; }
    @Override public Span setAttribute(String key, boolean value) { attributes.put(key, value); return this; }
    @Override public Span addEvent(String name) { return this; }
    @Override public Span addEvent(String name, Map<String, ?> attributes) { return this; }
    @Override public Span recordError(Throwable error) { return this; }
    @Override public Span setStatus(StatusCode status, String description) { return this; }
    @Override public TraceContext context() { return context; }
    @Override public boolean isRecording() { return sampled; }
    @Override public void end() {}

    @Override
    public void close() {
      if (previous == null) {
        current.remove();
      } else {
        current.set(previous);
      }
    }
  }
}
