package hyperion.otel;

import hyperion.SpanKind;
import hyperion.StatusCode;
import hyperion.Tracer;
import hyperion.testkit.TracerContract;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The OpenTelemetry tracer passes the whole port contract, ended spans included. */
class OtelTracerContractTest extends TracerContract {
  private static final TestSupport.CapturingExporter CAPTURED = new TestSupport.CapturingExporter();
  private static final Tracer TRACER = TestSupport.injector("tracing:\n  exporter: none\n", Map.of(),
      TestSupport.capturing(CAPTURED)).getInstance(Tracer.class);

  @Override
  protected Tracer tracer() {
    return TRACER;
  }

  @Override
  protected void resetFinishedSpans() {
    CAPTURED.spans.clear();
  }

  @Override
  protected List<FinishedSpan> finishedSpans() {
    return CAPTURED.spans.stream().map(OtelTracerContractTest::toFinished).toList();
  }

  static FinishedSpan toFinished(SpanData s) {
    Map<String, Object> attributes = new LinkedHashMap<>();
    s.getAttributes().forEach((k, v) -> attributes.put(k.getKey(), v));
    return new FinishedSpan(s.getName(), s.getTraceId(), s.getSpanId(), s.getParentSpanId(),
        SpanKind.valueOf(s.getKind().name()), attributes, StatusCode.valueOf(s.getStatus().getStatusCode().name()),
        s.getEvents().stream().map(EventData::getName).toList(),
        s.getLinks().stream().map(l -> l.getSpanContext().getTraceId() + "-" + l.getSpanContext().getSpanId()).toList());
  }
}
