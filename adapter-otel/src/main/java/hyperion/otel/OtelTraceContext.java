package hyperion.otel;

import hyperion.TraceContext;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;

/**
 * A {@link TraceContext} over an OpenTelemetry {@link SpanContext}. When it comes from {@code
 * extract} it also keeps the whole extracted {@link Context}, so baggage flows to spans that use it
 * as their parent.
 */
final class OtelTraceContext implements TraceContext {
  private final SpanContext spanContext;
  /** The extracted context (span + baggage), or null for the context of a local span. */
  private final Context context;

  OtelTraceContext(SpanContext spanContext, Context context) {
    this.spanContext = spanContext;
    this.context = context;
  }

  SpanContext spanContext() {
    return spanContext;
  }

  /** The context to use as parent; null when this wraps a local span's identity only. */
  Context context() {
    return context;
  }

  @Override public String traceId() { return spanContext.getTraceId(); }
  @Override public String spanId() { return spanContext.getSpanId(); }
  @Override public boolean isSampled() { return spanContext.isSampled(); }
  @Override public boolean isRemote() { return spanContext.isRemote(); }
  @Override public boolean isValid() { return spanContext.isValid(); }

  @Override
  public boolean equals(Object o) {
    return o instanceof OtelTraceContext c && c.spanContext.equals(spanContext);
  }

  @Override
  public int hashCode() {
    return spanContext.hashCode();
  }

  @Override
  public String toString() {
    return "TraceContext[" + traceId() + "/" + spanId() + (isSampled() ? ", sampled" : "")
        + (isRemote() ? ", remote" : "") + "]";
  }
}
