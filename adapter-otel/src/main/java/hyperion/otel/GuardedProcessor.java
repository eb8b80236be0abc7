package hyperion.otel;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.function.BiConsumer;

/**
 * An application's {@link SpanProcessor}, run so that what it throws is reported instead of
 * reaching the code that started or ended the span: the SDK calls processors without a guard, and
 * the port promises that starting and closing a span never throw.
 */
final class GuardedProcessor implements SpanProcessor {
  private final SpanProcessor delegate;
  private final BiConsumer<String, Throwable> failures;

  GuardedProcessor(SpanProcessor delegate, BiConsumer<String, Throwable> failures) {
    this.delegate = delegate;
    this.failures = failures;
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    try {
      delegate.onStart(parentContext, span);
    } catch (RuntimeException e) {
      failures.accept("span processor " + delegate.getClass().getName() + " onStart", e);
    }
  }

  @Override
  public boolean isStartRequired() {
    return delegate.isStartRequired();
  }

  @Override
  public void onEnd(ReadableSpan span) {
    try {
      delegate.onEnd(span);
    } catch (RuntimeException e) {
      failures.accept("span processor " + delegate.getClass().getName() + " onEnd", e);
    }
  }

  @Override
  public boolean isEndRequired() {
    return delegate.isEndRequired();
  }

  @Override
  public CompletableResultCode forceFlush() {
    return delegate.forceFlush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
