package hyperion.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import zipkin2.codec.SpanBytesDecoder;
import zipkin2.reporter.BytesMessageEncoder;
import zipkin2.reporter.BytesMessageSender;
import zipkin2.reporter.Encoding;

/**
 * The exporter's batching against a sender's message limit, in both encodings: a batch bigger than
 * one message goes out as several, none over the limit, every span once and in order. (The real
 * Zipkin server's view is {@code ZipkinIntegrationTest}'s.)
 */
class ZipkinSpanExporterTest {

  @ParameterizedTest(name = "{0}, messages of at most {1} bytes")
  @CsvSource({"PROTO3, 1000", "JSON, 1000", "PROTO3, 1000000", "JSON, 1000000"})
  void aBatchIsSplitIntoMessagesWithinTheSendersLimit(String encoding, int maxBytes) {
    List<SpanData> spans = spans(200);
    RecordingSender sender = new RecordingSender(Encoding.valueOf(encoding), maxBytes);
    ZipkinSpanExporter exporter = new ZipkinSpanExporter(sender, "http://127.0.0.1:9/api/v2/spans");

    CompletableResultCode result = exporter.export(spans);

    assertThat(result.isSuccess()).isTrue();
    SpanBytesDecoder decoder = encoding.equals("JSON") ? SpanBytesDecoder.JSON_V2 : SpanBytesDecoder.PROTO3;
    List<String> names = new ArrayList<>();
    for (byte[] message : sender.messages) {
      assertThat(message.length).isLessThanOrEqualTo(maxBytes);
      decoder.decodeList(message).forEach(s -> names.add(s.name()));
    }
    assertThat(names).containsExactlyElementsOf(IntStream.range(0, 200).mapToObj(i -> "op-" + i).toList());
    if (maxBytes == 1000) {
      assertThat(sender.messages).hasSizeGreaterThan(1);
    } else {
      assertThat(sender.messages).hasSize(1);
    }
  }

  /** {@code n} ended spans named {@code op-0} to {@code op-(n-1)}, each with a few attributes. */
  private static List<SpanData> spans(int n) {
    List<SpanData> ended = new ArrayList<>();
    SpanProcessor collect = new SpanProcessor() {
      @Override public void onStart(Context parent, ReadWriteSpan span) {}
      @Override public boolean isStartRequired() { return false; }
      @Override public void onEnd(ReadableSpan span) { ended.add(span.toSpanData()); }
      @Override public boolean isEndRequired() { return true; }
    };
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(collect).build()) {
      io.opentelemetry.api.trace.Tracer tracer = provider.get("test");
      for (int i = 0; i < n; i++) {
        tracer.spanBuilder("op-" + i).setAttribute("http.route", "/users/{id}").setAttribute("n", (long) i)
            .startSpan().end();
      }
    }
    return ended;
  }

  /** Keeps every message as the wire body {@code encoding} gives it. */
  private static final class RecordingSender implements BytesMessageSender {
    final List<byte[]> messages = new ArrayList<>();
    private final Encoding encoding;
    private final int maxBytes;

    RecordingSender(Encoding encoding, int maxBytes) {
      this.encoding = encoding;
      this.maxBytes = maxBytes;
    }

    @Override public Encoding encoding() { return encoding; }
    @Override public int messageMaxBytes() { return maxBytes; }
    @Override public int messageSizeInBytes(List<byte[]> spans) { return encoding.listSizeInBytes(spans); }
    @Override public int messageSizeInBytes(int spanBytes) { return encoding.listSizeInBytes(spanBytes); }
    @Override public void send(List<byte[]> spans) { messages.add(BytesMessageEncoder.forEncoding(encoding).encode(spans)); }
    @Override public void close() {}
  }
}
