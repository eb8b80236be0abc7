package hyperion;

/**
 * The identity of a span that can be propagated across threads and processes: trace id, span id
 * and sampling decision. Returned by {@link Span#context()} and {@link Tracer#extract}, and accepted
 * as an explicit parent by {@link SpanBuilder#parent(TraceContext)}.
 *
 * <p>Adapters may return a richer object (for example one that also carries W3C baggage); callers
 * only rely on the methods below.
 */
public interface TraceContext {

  /** The invalid context: all-zero ids, not sampled. Used when there is no span. */
  TraceContext INVALID = new TraceContext() {
    @Override public String traceId() { return "00000000000000000000000000000000"; }
    @Override public String spanId() { return "0000000000000000"; }
    @Override public boolean isSampled() { return false; }
    @Override public boolean isRemote() { return false; }
    @Override public String toString() { return "TraceContext.INVALID"; }
  };

  /** The 32 lower-case hex character trace id; all zeros when invalid. */
  String traceId();

  /** The 16 lower-case hex character span id; all zeros when invalid. */
  String spanId();

  /** Whether the span is recorded and exported. */
  boolean isSampled();

  /** Whether this context was extracted from another process. */
  boolean isRemote();

  /** Whether the ids are non-zero. */
  default boolean isValid() {
    return !INVALID.traceId().equals(traceId()) && !INVALID.spanId().equals(spanId());
  }
}
