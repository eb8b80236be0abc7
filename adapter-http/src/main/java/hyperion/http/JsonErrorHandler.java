package hyperion.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import hyperion.Span;
import hyperion.Tracer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Every error response as JSON, {@code {"error": message, "status": code, "trace_id": id}}: the
 * message given for a 4xx, only the reason phrase for a 5xx (never an exception's text, class or
 * stack), and the trace id of the current span when there is one.
 */
final class JsonErrorHandler extends ErrorHandler {
  private final Tracer tracer;

  JsonErrorHandler(Tracer tracer) {
    this.tracer = tracer;
    setShowStacks(false);
    setShowCauses(false);
  }

  /** Every method gets a body, not only GET, POST and HEAD (Jetty's default): a PUT's 422 says why too. */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) {
    String traceId = null;
    Span span = tracer.currentSpan();
    if (span.context().isValid()) {
      traceId = span.traceId();
      response.getHeaders().put(HttpInstrumentation.TRACE_ID_HEADER, traceId);
    }
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body(code, message, traceId)), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(body(status, reason, null));
  }

  static byte[] body(int code, String message, String traceId) {
    String text = code >= 500 || message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
    StringBuilder json = new StringBuilder("{\"error\":\"");
    JsonStringEncoder.getInstance().quoteAsString(text, json);
    json.append("\",\"status\":").append(code);
    if (traceId != null) {
      json.append(",\"trace_id\":\"").append(traceId).append('"');
    }
    return json.append("}").toString().getBytes(StandardCharsets.UTF_8);
  }
}
