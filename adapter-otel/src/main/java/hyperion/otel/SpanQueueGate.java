package hyperion.otel;

import hyperion.Counter;
import hyperion.Metrics;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Counts every sampled span from end to export, and enforces the queue bound itself.
 *
 * <p>The SDK's batch processor drops silently when its queue is full. So the batch processor is
 * built with room for {@code queue_size + max_batch_size} spans, and this gate in front of it drops
 * (and counts) a span once {@code queue_size} spans are waiting; the processor itself never drops.
 * "Waiting" ends when the processor hands a span to the exporter, seen by {@link #exporter}.
 */
final class SpanQueueGate {
  private final int capacity;
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final Counter droppedTotal;
  private final Counter exportedTotal;
  private final Counter failedTotal;
  private final BiConsumer<String, Throwable> failures;
  /** null before the first export, then whether the last one succeeded. */
  private volatile Boolean lastExportOk;

  SpanQueueGate(int capacity, Metrics metrics, BiConsumer<String, Throwable> failures) {
    this.capacity = capacity;
    this.failures = failures;
    this.droppedTotal = metrics.counter("hyperion_tracing_spans_dropped_total",
        "Spans dropped because the export queue was full");
    this.exportedTotal = metrics.counter("hyperion_tracing_spans_exported_total",
        "Spans the exporter delivered");
    this.failedTotal = metrics.counter("hyperion_tracing_spans_failed_total",
        "Spans the exporter failed to deliver (backend down, rejected or timed out)");
    metrics.gauge("hyperion_tracing_queue_size", "Spans waiting in the export queue", () -> queued.get());
    metrics.gauge("hyperion_tracing_queue_capacity", "Spans the export queue holds before dropping",
        () -> capacity);
  }

  SpanProcessor gate(SpanProcessor batch) {
    return new Gate(batch);
  }

  SpanExporter exporter(SpanExporter delegate) {
    return new CountingExporter(delegate);
  }

  long queued() { return queued.get(); }
  long dropped() { return dropped.get(); }
  long exported() { return exported.get(); }
  long failed() { return failed.get(); }
  int capacity() { return capacity; }
  Boolean lastExportOk() { return lastExportOk; }

  /** Spans accepted into the queue that were neither delivered nor failed yet. */
  long pending() {
    return accepted.get() - exported.get() - failed.get();
  }

  private final class Gate implements SpanProcessor {
    private final SpanProcessor batch;

    Gate(SpanProcessor batch) {
      this.batch = batch;
    }

    @Override public void onStart(Context parentContext, ReadWriteSpan span) {}
    @Override public boolean isStartRequired() { return false; }
    @Override public boolean isEndRequired() { return true; }

    @Override
    public void onEnd(ReadableSpan span) {
      if (!span.getSpanContext().isSampled()) {
        return; // the batch processor ignores these too
      }
      if (queued.incrementAndGet() > capacity) {
        queued.decrementAndGet();
        dropped.incrementAndGet();
        droppedTotal.inc();
        return;
      }
      accepted.incrementAndGet();
      batch.onEnd(span);
    }

    @Override public CompletableResultCode forceFlush() { return batch.forceFlush(); }
    @Override public CompletableResultCode shutdown() { return batch.shutdown(); }
  }

  private final class CountingExporter implements SpanExporter {
    private final SpanExporter delegate;

    CountingExporter(SpanExporter delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      int n = spans.size();
      queued.addAndGet(-n);
      CompletableResultCode result;
      try {
        result = delegate.export(spans);
      } catch (RuntimeException e) {
        failures.accept("export", e);
        result = CompletableResultCode.ofFailure();
      }
      CompletableResultCode r = result;
      r.whenComplete(() -> {
        if (r.isSuccess()) {
          exported.addAndGet(n);
          exportedTotal.inc(n);
          lastExportOk = Boolean.TRUE;
        } else {
          failed.addAndGet(n);
          failedTotal.inc(n);
          lastExportOk = Boolean.FALSE;
        }
      });
      return r;
    }

    @Override public CompletableResultCode flush() { return delegate.flush(); }
    @Override public CompletableResultCode shutdown() { return delegate.shutdown(); }
    @Override public String toString() { return delegate.toString(); }
  }
}
