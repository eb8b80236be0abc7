package hyperion.otel;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import com.sun.net.httpserver.HttpExchange;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * A minimal OTLP trace and log receiver on loopback that decodes the real protobuf messages: gRPC
 * through grpc-java's TraceService and LogsService, or HTTP/protobuf on {@code /v1/traces} and
 * {@code /v1/logs} through the JDK's HttpServer.
 */
final class OtlpReceiver implements AutoCloseable {
  final List<ResourceSpans> received = new CopyOnWriteArrayList<>();
  final List<ResourceLogs> receivedLogs = new CopyOnWriteArrayList<>();
  private final int port;
  private Server grpc;
  private HttpServer http;

  private OtlpReceiver(int port) {
    this.port = port;
  }

  static OtlpReceiver grpc(int port) throws IOException {
    OtlpReceiver r = new OtlpReceiver(port);
    r.grpc = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
        .addService(new TraceServiceGrpc.TraceServiceImplBase() {
          @Override
          public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> response) {
            r.received.addAll(request.getResourceSpansList());
            response.onNext(ExportTraceServiceResponse.getDefaultInstance());
            response.onCompleted();
          }
        })
        .addService(new LogsServiceGrpc.LogsServiceImplBase() {
          @Override
          public void export(ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> response) {
            r.receivedLogs.addAll(request.getResourceLogsList());
            response.onNext(ExportLogsServiceResponse.getDefaultInstance());
            response.onCompleted();
          }
        }).build().start();
    return r;
  }

  static OtlpReceiver http(int port) throws IOException {
    OtlpReceiver r = new OtlpReceiver(port);
    r.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    r.http.createContext("/v1/traces", exchange -> r.handle(exchange, in -> {
      r.received.addAll(ExportTraceServiceRequest.parseFrom(in).getResourceSpansList());
      return ExportTraceServiceResponse.getDefaultInstance().toByteArray();
    }));
    r.http.createContext("/v1/logs", exchange -> r.handle(exchange, in -> {
      r.receivedLogs.addAll(ExportLogsServiceRequest.parseFrom(in).getResourceLogsList());
      return ExportLogsServiceResponse.getDefaultInstance().toByteArray();
    }));
    r.http.start();
    return r;
  }

  /** Decodes one request body (gunzipped if need be) and answers with what {@code decode} returns. */
  private void handle(HttpExchange exchange, Decoder decode) throws IOException {
    try (exchange) {
      boolean gzip = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"));
      String type = exchange.getRequestHeaders().getFirst("Content-Type");
      if (!"POST".equals(exchange.getRequestMethod()) || type == null || !type.startsWith("application/x-protobuf")) {
        exchange.sendResponseHeaders(415, -1);
        return;
      }
      byte[] body;
      try (InputStream in = gzip ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
        body = decode.decode(in);
      }
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        exchange.getResponseBody().write(body);
      }
    }
  }

  private interface Decoder {
    byte[] decode(InputStream in) throws IOException;
  }

  int port() {
    return port;
  }

  /** All received spans, flattened. */
  List<io.opentelemetry.proto.trace.v1.Span> spans() {
    return received.stream().flatMap(rs -> rs.getScopeSpansList().stream())
        .flatMap(ss -> ss.getSpansList().stream()).toList();
  }

  /** All received log records, flattened. */
  List<LogRecord> logs() {
    return receivedLogs.stream().flatMap(rl -> rl.getScopeLogsList().stream())
        .flatMap(sl -> sl.getLogRecordsList().stream()).toList();
  }

  @Override
  public void close() throws InterruptedException {
    if (grpc != null) {
      grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (http != null) {
      http.stop(0);
    }
  }
}
