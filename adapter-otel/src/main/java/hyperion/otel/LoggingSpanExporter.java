package hyperion.otel;

import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code logging} exporter: one readable INFO line per span on logger {@code hyperion.otel.spans}. */
final class LoggingSpanExporter implements SpanExporter {
  static final Logger SPANS = LoggerFactory.getLogger("hyperion.otel.spans");

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    if (!SPANS.isInfoEnabled()) {
      return CompletableResultCode.ofSuccess();
    }
    for (SpanData s : spans) {
      SPANS.info(format(s));
    }
    return CompletableResultCode.ofSuccess();
  }

  static String format(SpanData s) {
    StringBuilder sb = new StringBuilder(160)
        .append("span '").append(s.getName()).append("' ")
        .append(s.getKind().name().toLowerCase(java.util.Locale.ROOT))
        .append(" trace_id=").append(s.getTraceId())
        .append(" span_id=").append(s.getSpanId());
    if (s.getParentSpanContext().isValid()) {
      sb.append(" parent_id=").append(s.getParentSpanId());
    }
    sb.append(" duration=").append(String.format(java.util.Locale.ROOT, "%.3fms",
        (s.getEndEpochNanos() - s.getStartEpochNanos()) / 1e6));
    if (s.getStatus().getStatusCode() != StatusCode.UNSET) {
      sb.append(" status=").append(s.getStatus().getStatusCode());
      if (!s.getStatus().getDescription().isEmpty()) {
        sb.append(" (").append(s.getStatus().getDescription()).append(')');
      }
    }
    if (!s.getAttributes().isEmpty()) {
      sb.append(" attributes=").append(s.getAttributes().asMap());
    }
    if (!s.getLinks().isEmpty()) {
      sb.append(" links=[");
      for (int i = 0; i < s.getLinks().size(); i++) {
        var link = s.getLinks().get(i).getSpanContext();
        sb.append(i == 0 ? "" : ", ").append(link.getTraceId()).append('-').append(link.getSpanId());
      }
      sb.append(']');
    }
    if (!s.getEvents().isEmpty()) {
      sb.append(" events=").append(s.getEvents().size());
    }
    return sb.toString();
  }

  @Override public CompletableResultCode flush() { return CompletableResultCode.ofSuccess(); }
  @Override public CompletableResultCode shutdown() { return CompletableResultCode.ofSuccess(); }
  @Override public String toString() { return "LoggingSpanExporter"; }
}
