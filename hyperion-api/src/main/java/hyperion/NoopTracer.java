package hyperion;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/** The default {@link Tracer}: records nothing, allocates nothing, never throws. */
final class NoopTracer implements Tracer {
  static final NoopTracer INSTANCE = new NoopTracer();

  private NoopTracer() {}

  @Override public Span start(String name) { return NoopSpan.INSTANCE; }
  @Override public SpanBuilder spanBuilder(String name) { return NoopSpan.BUILDER; }
  @Override public Span currentSpan() { return NoopSpan.INSTANCE; }
  @Override public <C> void inject(C carrier, TextMapSetter<C> setter) {}
  @Override public <C> TraceContext extract(C carrier, TextMapGetter<C> getter) { return TraceContext.INVALID; }
  @Override public Runnable wrap(Runnable task) { return task; }
  @Override public <T> Callable<T> wrap(Callable<T> task) { return task; }
  @Override public Executor wrap(Executor executor) { return executor; }
  @Override public ExecutorService wrap(ExecutorService executor) { return executor; }
  @Override public String toString() { return "NoopTracer"; }

  /** The one no-op span and builder; both are stateless so they can be shared. */
  static final class NoopSpan implements Span, SpanBuilder {
    static final NoopSpan INSTANCE = new NoopSpan();
    static final SpanBuilder BUILDER = INSTANCE;

    @Override public Span setAttribute(String key, String value) { return this; }
    @Override public Span setAttribute(String key, long value) { return this; }
    @Override public Span setAttribute(String key, double value) { return this; }
    @Override public Span setAttribute(String key, boolean value) { return this; }
    @Override public Span addEvent(String name) { return this; }
    @Override public Span addEvent(String name, Map<String, ?> attributes) { return this; }
    @Override public Span recordError(Throwable error) { return this; }
    @Override public Span setStatus(StatusCode status, String description) { return this; }
    @Override public TraceContext context() { return TraceContext.INVALID; }
    @Override public boolean isRecording() { return false; }
    @Override public void end() {}
    @Override public void close() {}
    @Override public SpanBuilder kind(SpanKind kind) { return this; }
    @Override public SpanBuilder parent(TraceContext parent) { return this; }
    @Override public SpanBuilder noParent() { return this; }
    @Override public SpanBuilder attribute(String key, String value) { return this; }
    @Override public SpanBuilder attribute(String key, long value) { return this; }
    @Override public SpanBuilder attribute(String key, double value) { return this; }
    @Override public SpanBuilder attribute(String key, boolean value) { return this; }
    @Override public SpanBuilder link(TraceContext linked) { return this; }
    @Override public SpanBuilder link(TraceContext linked, Map<String, ?> attributes) { return this; }
    @Override public Span start() { return this; }
    @Override public String toString() { return "NoopSpan"; }
  }
}
