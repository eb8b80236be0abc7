package hyperion;

import hyperion.testkit.RecordingTracer;
import hyperion.testkit.TracerContract;
import java.util.List;

/** The recording test double honours the tracer contract, so tests that rely on it mean something. */
class RecordingTracerContractTest extends TracerContract {
  private RecordingTracer tracer = new RecordingTracer();

  @Override
  protected Tracer tracer() {
    return tracer;
  }

  @Override
  protected boolean recording() {
    return true;
  }

  @Override
  protected List<FinishedSpan> finishedSpans() {
    return tracer.finished().stream().map(s -> new FinishedSpan(s.name, s.ids.traceId(), s.ids.spanId(),
        s.parentSpanId, s.kind, s.attributes, s.status, s.events,
        s.links.stream().map(l -> l.traceId() + "-" + l.spanId()).toList())).toList();
  }

  @Override
  protected void resetFinishedSpans() {
    tracer = new RecordingTracer();
  }
}
