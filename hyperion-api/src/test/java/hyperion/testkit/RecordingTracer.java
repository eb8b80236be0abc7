package hyperion.testkit;

import hyperion.Span;
import hyperion.SpanBuilder;
import hyperion.SpanKind;
import hyperion.StatusCode;
import hyperion.TextMapGetter;
import hyperion.TextMapSetter;
import hyperion.TraceContext;
import hyperion.Tracer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An in-memory {@link Tracer} for tests: every ended span is kept in {@link #finished()} with its
 * name, kind, parent, attributes, events and status. Propagates W3C {@code traceparent}.
 */
public final class RecordingTracer implements Tracer {

  /** A span's identity, with the W3C tracestate and baggage headers it carries (or {@code null}). */
  public record Ids(String traceId, String spanId, boolean isSampled, boolean isRemote, String tracestate,
      String baggage) implements TraceContext {}

  private final ThreadLocal<RecordedSpan> current = new ThreadLocal<>();
  private final ConcurrentLinkedQueue<RecordedSpan> finished = new ConcurrentLinkedQueue<>();

  /** The ended spans, in end order. */
  public List<RecordedSpan> finished() {
    return List.copyOf(finished);
  }

  /** The ended span called {@code name}; fails when there is none. */
  public RecordedSpan finished(String name) {
    return finished.stream().filter(s -> s.name.equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no finished span named " + name + " in " + finished));
  }

  @Override
  public Span start(String name) {
    return spanBuilder(name).start();
  }

  @Override
  public SpanBuilder spanBuilder(String name) {
    return new Builder(name);
  }

  @Override
  public Span currentSpan() {
    RecordedSpan s = current.get();
    return s != null ? s : INVALID_SPAN;
  }

  @Override
  public <C> void inject(C carrier, TextMapSetter<C> setter) {
    TraceContext c = currentSpan().context();
    if (carrier == null || setter == null || !c.isValid()) {
      return;
    }
    try {
      setter.set(carrier, "traceparent", "00-" + c.traceId() + "-" + c.spanId() + (c.isSampled() ? "-01" : "-00"));
      if (c instanceof Ids ids && ids.tracestate() != null) {
        setter.set(carrier, "tracestate", ids.tracestate());
      }
      if (c instanceof Ids ids && ids.baggage() != null) {
        setter.set(carrier, "baggage", ids.baggage());
      }
    } catch (RuntimeException e) {
      // a broken carrier must not break the traced code
    }
  }

  @Override
  public <C> TraceContext extract(C carrier, TextMapGetter<C> getter) {
    if (carrier == null || getter == null) {
      return TraceContext.INVALID;
    }
    try {
      String tp = getter.get(carrier, "traceparent");
      if (tp == null || !tp.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]")) {
        return TraceContext.INVALID;
      }
      String[] p = tp.split("-");
      Ids ids = new Ids(p[1], p[2], p[3].equals("01"), true, getter.get(carrier, "tracestate"),
          getter.get(carrier, "baggage"));
      return ids.isValid() ? ids : TraceContext.INVALID;
    } catch (RuntimeException e) {
      return TraceContext.INVALID;
    }
  }

  @Override
  public Runnable wrap(Runnable task) {
    RecordedSpan captured = current.get();
    return () -> {
      RecordedSpan previous = current.get();
      current.set(captured);
      try {
        task.run();
      } finally {
        current.set(previous);
      }
    };
  }

  @Override
  public <T> Callable<T> wrap(Callable<T> task) {
    RecordedSpan captured = current.get();
    return () -> {
      RecordedSpan previous = current.get();
      current.set(captured);
      try {
        return task.call();
      } finally {
        current.set(previous);
      }
    };
  }

  @Override
  public Executor wrap(Executor executor) {
    return task -> executor.execute(wrap(task));
  }

  @Override
  public ExecutorService wrap(ExecutorService executor) {
    return new java.util.concurrent.AbstractExecutorService() {
      @Override public void execute(Runnable task) { executor.execute(RecordingTracer.this.wrap(task)); }
      @Override public void shutdown() { executor.shutdown(); }
      @Override public List<Runnable> shutdownNow() { return executor.shutdownNow(); }
      @Override public boolean isShutdown() { return executor.isShutdown(); }
      @Override public boolean isTerminated() { return executor.isTerminated(); }
      @Override public boolean awaitTermination(long t, java.util.concurrent.TimeUnit u) throws InterruptedException {
        return executor.awaitTermination(t, u);
      }
    };
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    b[0] |= 1; // never all zero
    return HexFormat.of().formatHex(b);
  }

  private final class Builder implements SpanBuilder {
    private final String name;
    private SpanKind kind = SpanKind.INTERNAL;
    private TraceContext parent;
    private boolean root;
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private final List<TraceContext> links = new ArrayList<>();

    Builder(String name) {
      this.name = name;
    }

    @Override public SpanBuilder kind(SpanKind k) { kind = k; return this; }
    @Override public SpanBuilder parent(TraceContext p) { parent = p; return this; }
    @Override public SpanBuilder noParent() { root = true; return this; }
    @Override public SpanBuilder attribute(String k, String v) { attributes.put(k, v); return this; }
    @Override public SpanBuilder attribute(String k, long v) { attributes.put(k, v); return this; }
    @Override public SpanBuilder attribute(String k, double v) { attributes.put(k, v); return this; }
    @Override public SpanBuilder attribute(String k, boolean v) { attributes.put(k, v); return this; }
    @Override public SpanBuilder link(TraceContext c) { return link(c, null); }

    @Override
    public SpanBuilder link(TraceContext c, Map<String, ?> a) {
      if (c != null && c.isValid()) {
        links.add(c);
      }
      return this;
    }

    @Override
    public Span start() {
      TraceContext p = root ? null : parent != null ? parent : current.get() != null ? current.get().ids : null;
      boolean child = p != null && p.isValid();
      Ids inherited = child && p instanceof Ids i ? i : null;
      Ids ids = new Ids(child ? p.traceId() : hex(16), hex(8), !child || p.isSampled(), false,
          inherited == null ? null : inherited.tracestate(), inherited == null ? null : inherited.baggage());
      RecordedSpan s = new RecordedSpan(name, kind, ids, child ? p.spanId() : TraceContext.INVALID.spanId(),
          current.get());
      s.attributes.putAll(attributes);
      s.links.addAll(links);
      current.set(s);
      return s;
    }
  }

  /** A span recorded by this tracer. Its fields are readable after it ended. */
  public final class RecordedSpan implements Span {
    /** The span name (the last one given by {@link #updateName}). */
    public volatile String name;
    /** The span kind. */
    public final SpanKind kind;
    /** The span's ids. */
    public final Ids ids;
    /** The parent span id; all zeros for a root span. */
    public final String parentSpanId;
    /** Attributes set on the span. */
    public final Map<String, Object> attributes = new LinkedHashMap<>();
    /** Linked span contexts, in the order they were added. */
    public final List<TraceContext> links = new ArrayList<>();
    /** Event names, in order. */
    public final List<String> events = new ArrayList<>();
    /** The recorded error, if any. */
    public volatile Throwable error;
    /** The status. */
    public volatile StatusCode status = StatusCode.UNSET;
    private final RecordedSpan previous;
    private volatile boolean ended;

    RecordedSpan(String name, SpanKind kind, Ids ids, String parentSpanId, RecordedSpan previous) {
      this.name = name;
      this.kind = kind;
      this.ids = ids;
      this.parentSpanId = parentSpanId;
      this.previous = previous;
    }

    @Override public Span updateName(String n) { name = n; return this; }
    @Override public synchronized Span setAttribute(String k, String v) { attributes.put(k, v); return this; }
    @Override public synchronized Span setAttribute(String k, long v) { attributes.put(k, v); return this; }
    @Override public synchronized Span setAttribute(String k, double v) { attributes.put(k, v); return this; }
    @Override public synchronized Span setAttribute(String k, boolean v) { attributes.put(k, v); return this; }
    @Override public synchronized Span addEvent(String n) { events.add(n); return this; }
    @Override public synchronized Span addEvent(String n, Map<String, ?> a) { events.add(n); return this; }

    @Override
    public Span recordError(Throwable e) {
      error = e;
      status = StatusCode.ERROR;
      return addEvent("exception");
    }

    @Override public Span setStatus(StatusCode s, String d) { status = s; return this; }
    @Override public TraceContext context() { return ids; }
    @Override public boolean isRecording() { return !ended; }

    @Override
    public void end() {
      if (!ended) {
        ended = true;
        finished.add(this);
      }
    }

    @Override
    public void close() {
      end();
      if (current.get() == this) {
        current.set(previous);
      }
    }

    @Override
    public String toString() {
      return name + "(" + kind + ")";
    }
  }

  private static final Span INVALID_SPAN = new Span() {
    @Override public Span setAttribute(String k, String v) { return this; }
    @Override public Span setAttribute(String k, long v) { return this; }
    @Override public Span setAttribute(String k, double v) { return this; }
    @Override public Span setAttribute(String k, boolean v) { return this; }
    @Override public Span addEvent(String n) { return this; }
    @Override public Span addEvent(String n, Map<String, ?> a) { return this; }
    @Override public Span recordError(Throwable e) { return this; }
    @Override public Span setStatus(StatusCode s, String d) { return this; }
    @Override public TraceContext context() { return TraceContext.INVALID; }
    @Override public boolean isRecording() { return false; }
    @Override public void end() {}
    @Override public void close() {}
  };
}
