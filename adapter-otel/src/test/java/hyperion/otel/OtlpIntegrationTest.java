package hyperion.otel;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import com.google.protobuf.ByteString;
import hyperion.Span;
import hyperion.SpanKind;
import hyperion.Tracer;
import hyperion.testkit.LoopbackPorts;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OTLP over gRPC and HTTP/protobuf against a receiver that decodes the real protobuf: spans with links, and log records. */
class OtlpIntegrationTest {

  @ParameterizedTest(name = "{0} {1} compression={2}")
  @CsvSource({"otlp, grpc, none", "otlp, http/protobuf, gzip", "jaeger, grpc, gzip", "otlp, grpc, gzip"})
  void spansArriveWithIdsParentsAttributesAndResource(String exporter, String protocol, String compression)
      throws Exception {
    int port = LoopbackPorts.free();
    try (OtlpReceiver receiver = protocol.equals("grpc") ? OtlpReceiver.grpc(port) : OtlpReceiver.http(port)) {
      Injector injector = TestSupport.injector("""
          service:
            name: orders
            version: 1.2.3
            environment: staging
          tracing:
            exporter: %s
            protocol: %s
            compression: %s
            endpoint: http://127.0.0.1:%d
            headers:
              x-api-key: secret
            attributes:
              team: payments
            batch:
              delay: 50ms
          """.formatted(exporter, protocol, compression, port), Map.of());
      Tracer tracer = injector.getInstance(Tracer.class);
      String traceId;
      String parentId;
      String childId;
      hyperion.TraceContext producer;
      try (Span message = tracer.spanBuilder("publish").kind(SpanKind.PRODUCER).start()) {
        producer = message.context();
      }
      try (Span parent = tracer.spanBuilder("POST /orders").kind(SpanKind.SERVER).attribute("http.method", "POST")
          .start()) {
        traceId = parent.traceId();
        parentId = parent.spanId();
        try (Span child = tracer.spanBuilder("INSERT orders").kind(SpanKind.CLIENT)
            .link(producer, Map.of("messaging.message.id", "m-7", "batch.index", 3)).start()) {
          childId = child.spanId();
          child.setAttribute("db.rows", 3L).setAttribute("db.ratio", 0.5).setAttribute("db.cached", true)
              .addEvent("retry", Map.of("attempt", 2));
        }
      }
      injector.getInstance(TracingRuntime.class).stop();

      var spans = receiver.spans();
      assertThat(spans).hasSize(3);
      var byName = spans.stream().collect(Collectors.toMap(s -> s.getName(), s -> s));
      var parent = byName.get("POST /orders");
      var child = byName.get("INSERT orders");
      assertThat(hex(parent.getTraceId())).isEqualTo(traceId);
      assertThat(hex(parent.getSpanId())).isEqualTo(parentId);
      assertThat(parent.getParentSpanId()).isEqualTo(ByteString.EMPTY);
      assertThat(parent.getKind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
      assertThat(attributes(parent.getAttributesList())).containsEntry("http.method", "POST");
      assertThat(hex(child.getTraceId())).isEqualTo(traceId);
      assertThat(hex(child.getSpanId())).isEqualTo(childId);
      assertThat(hex(child.getParentSpanId())).isEqualTo(parentId);
      assertThat(child.getKind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT);
      assertThat(attributes(child.getAttributesList())).containsEntry("db.rows", 3L).containsEntry("db.ratio", 0.5)
          .containsEntry("db.cached", true);
      assertThat(child.getLinksList()).singleElement().satisfies(l -> {
        assertThat(hex(l.getTraceId())).isEqualTo(producer.traceId()).isNotEqualTo(traceId);
        assertThat(hex(l.getSpanId())).isEqualTo(producer.spanId());
        assertThat(attributes(l.getAttributesList())).containsEntry("messaging.message.id", "m-7")
            .containsEntry("batch.index", 3L);
      });
      assertThat(child.getEventsList()).singleElement().satisfies(e -> {
        assertThat(e.getName()).isEqualTo("retry");
        assertThat(attributes(e.getAttributesList())).containsEntry("attempt", 2L);
      });
      Map<String, Object> resource = attributes(receiver.received.get(0).getResource().getAttributesList());
      assertThat(resource).containsEntry("service.name", "orders").containsEntry("service.version", "1.2.3")
          .containsEntry("deployment.environment", "staging").containsEntry("team", "payments")
          .containsEntry("telemetry.sdk.language", "java");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"grpc", "http/protobuf"})
  void logRecordsArriveWithTheTraceContextOfTheirSpan(String protocol) throws Exception {
    int port = LoopbackPorts.free();
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("hyperion.otel.test.exported");
    try (OtlpReceiver receiver = protocol.equals("grpc") ? OtlpReceiver.grpc(port) : OtlpReceiver.http(port)) {
      String traceId;
      String spanId;
      try (hyperion.Hyperion app = hyperion.Hyperion.start(hyperion.config.Config.fromYaml("""
          service:
            name: billing
          tracing:
            protocol: %s
            endpoint: http://127.0.0.1:%d
            batch:
              delay: 50ms
            logs:
              enabled: true
              level: warn
          """.formatted(protocol, port)), new OtelModule(Map.of()))) {
        Tracer tracer = app.context().tracer();
        log.warn("outside any span");
        try (Span span = tracer.start("charge")) {
          traceId = span.traceId();
          spanId = span.spanId();
          log.warn("card declined for {}", "order-9");
          log.info("below the configured level");
        }
      }
      // Closing the app detached the appender: later lines are not exported.
      log.warn("after stop");

      var logs = receiver.logs();
      assertThat(logs).extracting(r -> r.getBody().getStringValue())
          .containsExactlyInAnyOrder("outside any span", "card declined for order-9");
      var inSpan = logs.stream().filter(r -> r.getBody().getStringValue().startsWith("card")).findFirst().orElseThrow();
      assertThat(hex(inSpan.getTraceId())).isEqualTo(traceId);
      assertThat(hex(inSpan.getSpanId())).isEqualTo(spanId);
      assertThat(inSpan.getSeverityText()).isEqualTo("WARN");
      var outside = logs.stream().filter(r -> r.getBody().getStringValue().startsWith("outside")).findFirst().orElseThrow();
      assertThat(outside.getTraceId()).isEqualTo(ByteString.EMPTY);
      assertThat(attributes(receiver.receivedLogs.get(0).getResource().getAttributesList()))
          .containsEntry("service.name", "billing");
    }
  }

  static String hex(ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  static Map<String, Object> attributes(List<KeyValue> kvs) {
    return kvs.stream().collect(Collectors.toMap(KeyValue::getKey, kv -> value(kv.getValue())));
  }

  private static Object value(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> v.getIntValue();
      case DOUBLE_VALUE -> v.getDoubleValue();
      case BOOL_VALUE -> v.getBoolValue();
      default -> v.toString();
    };
  }
}
