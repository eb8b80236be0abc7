package hyperion.otel;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
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
 * A minimal OTLP trace receiver on loopback that decodes the real protobuf messages: gRPC through
 * grpc-java's TraceService, or HTTP/protobuf on {@code /v1/traces} through the JDK's HttpServer.
 */
final class OtlpReceiver implements AutoCloseable {
  final List<ResourceSpans> received = new CopyOnWriteArrayList<>();
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
        }).build().start();
    return r;
  }

  static OtlpReceiver http(int port) throws IOException {
    OtlpReceiver r = new OtlpReceiver(port);
    r.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    r.http.createContext("/v1/traces", exchange -> {
      try (exchange) {
        boolean gzip = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"));
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (!"POST".equals(exchange.getRequestMethod()) || type == null || !type.startsWith("application/x-protobuf")) {
          exchange.sendResponseHeaders(415, -1);
          return;
        }
        try (InputStream in = gzip ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
          r.received.addAll(ExportTraceServiceRequest.parseFrom(in).getResourceSpansList());
        }
        byte[] body = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
        exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
          exchange.getResponseBody().write(body);
        }
      }
    });
    r.http.start();
    return r;
  }

  int port() {
    return port;
  }

  /** All received spans, flattened. */
  List<io.opentelemetry.proto.trace.v1.Span> spans() {
    return received.stream().flatMap(rs -> rs.getScopeSpansList().stream())
        .flatMap(ss -> ss.getSpansList().stream()).toList();
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
