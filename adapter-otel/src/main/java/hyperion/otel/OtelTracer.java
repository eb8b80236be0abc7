package hyperion.otel;

import hyperion.Span;
import hyperion.SpanBuilder;
import hyperion.TextMapGetter;
import hyperion.TextMapSetter;
import hyperion.TraceContext;
import hyperion.Tracer;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.BiConsumer;

/**
 * The {@link Tracer} over an OpenTelemetry SDK tracer. The current span lives in OpenTelemetry's
 * {@link Context}, so code instrumented with the OpenTelemetry API and code using this port see
 * the same current span.
 */
final class OtelTracer implements Tracer {
  private final io.opentelemetry.api.trace.Tracer tracer;
  private final TextMapPropagator propagator;
  /** Where failures the caller must not see are reported, rate-limited, once per injector. */
  private final BiConsumer<String, Throwable> failures;
  // The last adapters made: callers pass the same static setter and getter every time, so reusing
  // them makes inject and extract allocate nothing of their own.
  private volatile SetterAdapter<?> lastSetter;
  private volatile GetterAdapter<?> lastGetter;

  OtelTracer(io.opentelemetry.api.trace.Tracer tracer, TextMapPropagator propagator,
      BiConsumer<String, Throwable> failures) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.failures = failures;
  }

  @Override
  public Span start(String name) {
    try {
      Context parent = Context.current();
      io.opentelemetry.api.trace.Span span = tracer.spanBuilder(name == null ? "" : name).setParent(parent)
          .startSpan();
      return OtelSpan.makeCurrent(span, parent);
    } catch (RuntimeException e) {
      failures.accept("start", e);
      return OtelSpan.INVALID;
    }
  }

  @Override
  public SpanBuilder spanBuilder(String name) {
    return new OtelSpanBuilder(tracer.spanBuilder(name == null ? "" : name), failures);
  }

  @Override
  public Span currentSpan() {
    return OtelSpan.wrap(io.opentelemetry.api.trace.Span.current());
  }

  @Override
  public <C> void inject(C carrier, TextMapSetter<C> setter) {
    if (setter == null) {
      return;
    }
    try {
      SetterAdapter<?> last = lastSetter; // read once: another thread may replace it
      SetterAdapter<C> adapter = last != null && last.setter() == setter ? same(last)
          : same(lastSetter = new SetterAdapter<>(setter));
      propagator.inject(Context.current(), carrier, adapter);
    } catch (RuntimeException e) {
      failures.accept("inject", e); // a failing carrier must not fail the request
    }
  }

  @Override
  public <C> TraceContext extract(C carrier, TextMapGetter<C> getter) {
    if (getter == null) {
      return TraceContext.INVALID;
    }
    try {
      GetterAdapter<?> last = lastGetter; // read once: another thread may replace it
      GetterAdapter<C> adapter = last != null && last.getter() == getter ? same(last)
          : same(lastGetter = new GetterAdapter<>(getter));
      Context extracted = propagator.extract(Context.root(), carrier, adapter);
      SpanContext sc = io.opentelemetry.api.trace.Span.fromContext(extracted).getSpanContext();
      if (!sc.isValid() && Baggage.fromContext(extracted).isEmpty()) {
        return TraceContext.INVALID;
      }
      return new OtelTraceContext(sc, extracted);
    } catch (RuntimeException e) {
      failures.accept("extract", e);
      return TraceContext.INVALID;
    }
  }

  @Override
  public Runnable wrap(Runnable task) {
    return Context.current().wrap(task);
  }

  @Override
  public <T> Callable<T> wrap(Callable<T> task) {
    return Context.current().wrap(task);
  }

  @Override
  public Executor wrap(Executor executor) {
    return Context.taskWrapping(executor);
  }

  @Override
  public ExecutorService wrap(ExecutorService executor) {
    return Context.taskWrapping(executor);
  }

  @Override
  public String toString() {
    return "OtelTracer";
  }

  /** The adapter just checked to wrap the caller's setter or getter, typed for that carrier. */
  @SuppressWarnings("unchecked")
  private static <A> A same(Object adapter) {
    return (A) adapter;
  }

  /** Adapts the port's setter. */
  private record SetterAdapter<C>(TextMapSetter<C> setter) implements io.opentelemetry.context.propagation.TextMapSetter<C> {
    @Override
    public void set(C carrier, String key, String value) {
      setter.set(carrier, key, value);
    }
  }

  /** Adapts the port's getter; a null carrier or a failing getter reads as "no header". */
  private record GetterAdapter<C>(TextMapGetter<C> getter)
      implements io.opentelemetry.context.propagation.TextMapGetter<C> {
    @Override
    public Iterable<String> keys(C carrier) {
      if (carrier == null) {
        return List.of();
      }
      Iterable<String> keys = getter.keys(carrier);
      return keys == null ? List.of() : keys;
    }

    @Override
    public String get(C carrier, String key) {
      return carrier == null ? null : getter.get(carrier, key);
    }
  }

  /** The OpenTelemetry identity of a valid context, ours or another implementation's (rebuilt from its ids). */
  static SpanContext spanContext(TraceContext context) {
    if (context instanceof OtelTraceContext otel) {
      return otel.spanContext();
    }
    TraceFlags flags = context.isSampled() ? TraceFlags.getSampled() : TraceFlags.getDefault();
    return context.isRemote()
        ? SpanContext.createFromRemoteParent(context.traceId(), context.spanId(), flags, TraceState.getDefault())
        : SpanContext.create(context.traceId(), context.spanId(), flags, TraceState.getDefault());
  }

  /** Builds a span; single-use like every builder of the port. */
  private static final class OtelSpanBuilder implements SpanBuilder {
    private final io.opentelemetry.api.trace.SpanBuilder builder;
    private final BiConsumer<String, Throwable> failures;
    /** The context the span is made current in: the explicit parent's (with its baggage) or current. */
    private Context base;

    OtelSpanBuilder(io.opentelemetry.api.trace.SpanBuilder builder, BiConsumer<String, Throwable> failures) {
      this.builder = builder;
      this.failures = failures;
    }

    @Override
    public SpanBuilder kind(hyperion.SpanKind kind) {
      if (kind != null) {
        builder.setSpanKind(switch (kind) {
          case INTERNAL -> io.opentelemetry.api.trace.SpanKind.INTERNAL;
          case SERVER -> io.opentelemetry.api.trace.SpanKind.SERVER;
          case CLIENT -> io.opentelemetry.api.trace.SpanKind.CLIENT;
          case PRODUCER -> io.opentelemetry.api.trace.SpanKind.PRODUCER;
          case CONSUMER -> io.opentelemetry.api.trace.SpanKind.CONSUMER;
        });
      }
      return this;
    }

    @Override
    public SpanBuilder parent(TraceContext parent) {
      if (parent == null) {
        return this;
      }
      Context ctx;
      Context base = null;
      if (parent instanceof OtelTraceContext otel && otel.context() != null) {
        ctx = otel.context();
        base = ctx; // keeps the extracted baggage current while the span is
      } else if (parent.isValid()) {
        ctx = Context.current().with(io.opentelemetry.api.trace.Span.wrap(spanContext(parent)));
      } else {
        ctx = Context.root(); // an invalid parent starts a new trace
      }
      builder.setParent(ctx);
      this.base = base;
      return this;
    }

    @Override
    public SpanBuilder link(TraceContext linked) {
      if (linked != null && linked.isValid()) {
        builder.addLink(spanContext(linked));
      }
      return this;
    }

    @Override
    public SpanBuilder link(TraceContext linked, Map<String, ?> attributes) {
      if (linked != null && linked.isValid()) {
        builder.addLink(spanContext(linked), attributes == null ? Attributes.empty() : OtelSpan.toAttributes(attributes));
      }
      return this;
    }

    @Override
    public SpanBuilder noParent() {
      builder.setNoParent();
      base = null;
      return this;
    }

    @Override
    public SpanBuilder attribute(String key, String value) {
      if (key != null && value != null) {
        builder.setAttribute(AttributeKeys.string(key), value);
      }
      return this;
    }

    @Override
    public SpanBuilder attribute(String key, long value) {
      if (key != null) {
        builder.setAttribute(AttributeKeys.longKey(key), value);
      }
      return this;
    }

    @Override
    public SpanBuilder attribute(String key, double value) {
      if (key != null) {
        builder.setAttribute(AttributeKeys.doubleKey(key), value);
      }
      return this;
    }

    @Override
    public SpanBuilder attribute(String key, boolean value) {
      if (key != null) {
        builder.setAttribute(AttributeKeys.booleanKey(key), value);
      }
      return this;
    }

    @Override
    public Span start() {
      try {
        io.opentelemetry.api.trace.Span span = builder.startSpan();
        return OtelSpan.makeCurrent(span, base != null ? base : Context.current());
      } catch (RuntimeException e) {
        failures.accept("start", e);
        return OtelSpan.INVALID;
      }
    }
  }
}
