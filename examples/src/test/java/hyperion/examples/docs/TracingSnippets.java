package hyperion.examples.docs;

import hyperion.Span;
import hyperion.SpanKind;
import hyperion.TextMapGetter;
import hyperion.TraceContext;
import hyperion.Tracer;
import java.util.Map;

/** docs/tracing.md's snippets, compiled here and run by {@link TracingSnippetsTest}. */
final class TracingSnippets {
  private TracingSnippets() {}

  static void serve(Tracer tracer, Map<String, String> headers, TextMapGetter<Map<String, String>> getter,
      String id) {
    // docs/tracing.md:start
    try (Span span = tracer.spanBuilder("GET /users/{id}").kind(SpanKind.SERVER).parent(tracer.extract(headers, getter)).start()) {
      span.setAttribute("user.id", id);
      // handle the request
    }
    // docs/tracing.md:end
  }

  static void consume(Tracer tracer, Map<String, String> headers, TextMapGetter<Map<String, String>> getter) {
    // docs/tracing.md:start
    // Each message of the batch carries the traceparent of the span that produced it.
    Map<String, String> message1 = headers;
    Map<String, String> message2 = Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    TraceContext first = tracer.extract(message1, getter);
    TraceContext second = tracer.extract(message2, getter);
    try (Span batch = tracer.spanBuilder("orders process").kind(SpanKind.CONSUMER)
        .link(first)
        .link(second, Map.of("messaging.message.id", "m-2"))
        .start()) {
      // handle both messages
    }
    // docs/tracing.md:end
  }
}
