package hyperion.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import zipkin2.Endpoint;
import zipkin2.Span;
import zipkin2.reporter.BytesEncoder;
import zipkin2.reporter.BytesMessageSender;
import zipkin2.reporter.SpanBytesEncoder;

/**
 * Exports to Zipkin's v2 API. The OpenTelemetry Zipkin exporter is no longer published, so spans
 * are mapped to {@link zipkin2.Span} here, following Zipkin's model (as the retired exporter did),
 * and sent with Zipkin's own encoder (protobuf3 or JSON) and sender. Batching is the batch span
 * processor's job; this exporter sends each batch synchronously on the processor's thread.
 */
final class ZipkinSpanExporter implements SpanExporter {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ZipkinSpanExporter.class);
  static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> PEER_SERVICE = AttributeKey.stringKey("peer.service");
  private static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
  private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");
  private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");

  private final BytesMessageSender sender;
  private final BytesEncoder<Span> encoder;
  private final String endpoint;
  private volatile boolean shutdown;

  /** Spans are encoded as {@code sender} declares it sends them (protobuf3 or JSON). */
  ZipkinSpanExporter(BytesMessageSender sender, String endpoint) {
    this.sender = sender;
    this.endpoint = endpoint;
    this.encoder = SpanBytesEncoder.forEncoding(sender.encoding());
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    if (shutdown) {
      return CompletableResultCode.ofFailure();
    }
    List<byte[]> encoded = new ArrayList<>(spans.size());
    for (SpanData span : spans) {
      encoded.add(encoder.encode(toZipkin(span)));
    }
    try {
      // Respect the sender's message limit: a big batch goes out in several requests. The list's
      // framing (JSON brackets and commas) is at most 2 bytes + 1 per span, so the exact size is
      // asked for only near the limit, not for every span of the batch.
      int max = sender.messageMaxBytes();
      List<byte[]> chunk = new ArrayList<>();
      long bytes = 0;
      for (byte[] span : encoded) {
        chunk.add(span);
        bytes += span.length;
        if (chunk.size() > 1 && bytes + chunk.size() + 2 > max && sender.messageSizeInBytes(chunk) > max) {
          chunk.remove(chunk.size() - 1);
          sender.send(chunk);
          chunk = new ArrayList<>();
          chunk.add(span);
          bytes = span.length;
        }
      }
      if (!chunk.isEmpty()) {
        sender.send(chunk);
      }
      return CompletableResultCode.ofSuccess();
    } catch (IOException | RuntimeException e) {
      LOG.debug("tracing: zipkin export of {} spans to {} failed", spans.size(), endpoint, e);
      return CompletableResultCode.ofExceptionalFailure(e);
    }
  }

  /** Maps one span to Zipkin's model: kind, local/remote endpoint, tags, error tag, links as tags, annotations. */
  static Span toZipkin(SpanData data) {
    SpanContext ctx = data.getSpanContext();
    Span.Builder b = Span.newBuilder()
        .traceId(ctx.getTraceId())
        .id(ctx.getSpanId())
        .name(data.getName())
        .timestamp(TimeUnit.NANOSECONDS.toMicros(data.getStartEpochNanos()))
        .duration(Math.max(1, TimeUnit.NANOSECONDS.toMicros(data.getEndEpochNanos() - data.getStartEpochNanos())));
    if (data.getParentSpanContext().isValid()) {
      b.parentId(data.getParentSpanContext().getSpanId());
    }
    Span.Kind kind = switch (data.getKind()) {
      case SERVER -> Span.Kind.SERVER;
      case CLIENT -> Span.Kind.CLIENT;
      case PRODUCER -> Span.Kind.PRODUCER;
      case CONSUMER -> Span.Kind.CONSUMER;
      case INTERNAL -> null; // Zipkin has no kind for local spans
    };
    b.kind(kind);
    String service = data.getResource().getAttribute(SERVICE_NAME);
    b.localEndpoint(Endpoint.newBuilder().serviceName(service == null ? "unknown" : service).build());
    Attributes attrs = data.getAttributes();
    if (kind == Span.Kind.CLIENT || kind == Span.Kind.PRODUCER) {
      Endpoint remote = remoteEndpoint(attrs);
      if (remote != null) {
        b.remoteEndpoint(remote);
      }
    }
    attrs.forEach((k, v) -> b.putTag(k.getKey(), tagValue(v)));
    StatusCode status = data.getStatus().getStatusCode();
    if (status != StatusCode.UNSET) {
      b.putTag("otel.status_code", status.name());
    }
    if (status == StatusCode.ERROR) {
      // Zipkin marks a span failed when the "error" tag is present; its value is the message.
      b.putTag("error", data.getStatus().getDescription());
    }
    String scope = data.getInstrumentationScopeInfo().getName();
    if (scope != null && !scope.isEmpty()) {
      b.putTag("otel.scope.name", scope);
    }
    // Zipkin's model has no links: each becomes tags otel.link.<i>.trace_id, .span_id and .<attribute>.
    List<LinkData> links = data.getLinks();
    for (int i = 0; i < links.size(); i++) {
      LinkData link = links.get(i);
      String prefix = "otel.link." + i + ".";
      b.putTag(prefix + "trace_id", link.getSpanContext().getTraceId());
      b.putTag(prefix + "span_id", link.getSpanContext().getSpanId());
      link.getAttributes().forEach((k, v) -> b.putTag(prefix + k.getKey(), tagValue(v)));
    }
    for (EventData event : data.getEvents()) {
      b.addAnnotation(TimeUnit.NANOSECONDS.toMicros(event.getEpochNanos()), annotation(event));
    }
    return b.build();
  }

  private static Endpoint remoteEndpoint(Attributes attrs) {
    String service = attrs.get(PEER_SERVICE);
    String address = attrs.get(PEER_ADDRESS) != null ? attrs.get(PEER_ADDRESS) : attrs.get(SERVER_ADDRESS);
    Long port = attrs.get(PEER_PORT) != null ? attrs.get(PEER_PORT) : attrs.get(SERVER_PORT);
    if (service == null && address == null && port == null) {
      return null;
    }
    Endpoint.Builder e = Endpoint.newBuilder().serviceName(service);
    if (address != null && !e.parseIp(address)) {
      e.serviceName(service != null ? service : address); // a host name, not an IP
    }
    if (port != null) {
      e.port(port.intValue());
    }
    return e.build();
  }

  private static String tagValue(Object v) {
    if (v instanceof List<?> list) {
      StringBuilder sb = new StringBuilder();
      for (Object o : list) {
        if (sb.length() > 0) {
          sb.append(',');
        }
        sb.append(o);
      }
      return sb.toString();
    }
    return String.valueOf(v);
  }

  /** The event name, then its attributes as a JSON object, like the retired OpenTelemetry exporter. */
  private static String annotation(EventData event) {
    if (event.getAttributes().isEmpty()) {
      return event.getName();
    }
    StringBuilder sb = new StringBuilder("\"").append(escape(event.getName())).append("\":{");
    boolean first = true;
    for (var e : event.getAttributes().asMap().entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append('"').append(escape(e.getKey().getKey())).append("\":");
      Object v = e.getValue();
      if (v instanceof Long || v instanceof Double || v instanceof Boolean) {
        sb.append(v);
      } else {
        sb.append('"').append(escape(tagValue(v))).append('"');
      }
    }
    return sb.append('}').toString();
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess(); // nothing is buffered here
  }

  @Override
  public CompletableResultCode shutdown() {
    shutdown = true;
    try {
      sender.close();
      return CompletableResultCode.ofSuccess();
    } catch (IOException e) {
      return CompletableResultCode.ofExceptionalFailure(e);
    }
  }

  @Override
  public String toString() {
    return "ZipkinSpanExporter{" + endpoint + "}";
  }
}
