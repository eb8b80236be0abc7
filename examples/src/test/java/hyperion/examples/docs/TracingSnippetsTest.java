package hyperion.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Hyperion;
import hyperion.TextMapGetter;
import hyperion.Tracer;
import hyperion.config.Config;
import hyperion.otel.OtelModule;
import hyperion.testkit.RecordingTracer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/tracing.md's snippets run on the OpenTelemetry adapter and on a recording tracer. */
class TracingSnippetsTest {

  static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
    @Override public Iterable<String> keys(Map<String, String> carrier) { return carrier.keySet(); }
    @Override public String get(Map<String, String> carrier, String key) { return carrier.get(key); }
  };

  static final Map<String, String> HEADERS =
      Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

  @Test
  void theServerSpanContinuesTheCallersTrace() {
    RecordingTracer tracer = new RecordingTracer();
    TracingSnippets.serve(tracer, HEADERS, GETTER, "42");
    var span = tracer.finished("GET /users/{id}");
    assertThat(span.ids.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(span.attributes).containsEntry("user.id", "42");
  }

  @Test
  void theBatchSpanLinksBothMessages() {
    RecordingTracer tracer = new RecordingTracer();
    TracingSnippets.consume(tracer, HEADERS, GETTER);
    assertThat(tracer.finished("orders process").links).hasSize(2);
  }

  @Test
  void bothRunOnTheOpenTelemetryAdapter() {
    try (Hyperion app = Hyperion.start(Config.fromYaml("tracing: { exporter: none }\n"), new OtelModule())) {
      Tracer tracer = app.context().tracer();
      TracingSnippets.serve(tracer, HEADERS, GETTER, "42");
      TracingSnippets.consume(tracer, HEADERS, GETTER);
    }
  }
}
