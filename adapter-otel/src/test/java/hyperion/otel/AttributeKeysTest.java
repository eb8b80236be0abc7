package hyperion.otel;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Span;
import hyperion.Tracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The attribute keys every span of the adapter shares. */
class AttributeKeysTest {

  @Test
  void aNameGetsOneKeyPerType() {
    assertThat(AttributeKeys.string("http.route")).isSameAs(AttributeKeys.string("http.route"))
        .isEqualTo(AttributeKey.stringKey("http.route"));
    assertThat(AttributeKeys.longKey("server.port")).isSameAs(AttributeKeys.longKey("server.port"))
        .isEqualTo(AttributeKey.longKey("server.port"));
    assertThat(AttributeKeys.doubleKey("ratio")).isSameAs(AttributeKeys.doubleKey("ratio"));
    assertThat(AttributeKeys.booleanKey("cache.hit")).isSameAs(AttributeKeys.booleanKey("cache.hit"));
    assertThat(AttributeKeys.longKey("same.name").getType()).isEqualTo(AttributeType.LONG);
    assertThat(AttributeKeys.string("same.name").getType()).isEqualTo(AttributeType.STRING);
  }

  @Test
  void namesPastTheLimitStillGetACorrectKeyButAreNotKept() {
    AttributeKeys.ByType<Boolean> keys = new AttributeKeys.ByType<>(AttributeKey::booleanKey, 3);
    for (int i = 0; i < 5; i++) {
      keys.get("made.up." + i);
    }
    AttributeKey<Boolean> late = keys.get("made.up.late");
    assertThat(late).isEqualTo(AttributeKey.booleanKey("made.up.late")).isNotSameAs(keys.get("made.up.late"));
    assertThat(keys.get("made.up.4")).isNotSameAs(keys.get("made.up.4"));
    // Names kept before the limit are still shared.
    assertThat(keys.get("made.up.2")).isSameAs(keys.get("made.up.2"));
  }

  @Test
  void spansOfTheAdapterCarryTheSharedKeys() {
    TestSupport.CapturingExporter captured = new TestSupport.CapturingExporter();
    Tracer tracer = TestSupport.injector("tracing:\n  exporter: none\n", Map.of(), TestSupport.capturing(captured))
        .getInstance(Tracer.class);
    for (String name : new String[] {"first", "second"}) {
      try (Span span = tracer.spanBuilder(name).attribute("http.request.method", "GET").attribute("server.port", 8080)
          .start()) {
        span.setAttribute("http.route", "/users/{id}").setAttribute("cache.hit", true);
      }
    }
    SpanData first = captured.spans.stream().filter(s -> s.getName().equals("first")).findFirst().orElseThrow();
    SpanData second = captured.spans.stream().filter(s -> s.getName().equals("second")).findFirst().orElseThrow();
    assertThat(first.getAttributes().get(AttributeKey.stringKey("http.request.method"))).isEqualTo("GET");
    assertThat(first.getAttributes().get(AttributeKey.longKey("server.port"))).isEqualTo(8080L);
    assertThat(first.getAttributes().get(AttributeKey.stringKey("http.route"))).isEqualTo("/users/{id}");
    assertThat(first.getAttributes().get(AttributeKey.booleanKey("cache.hit"))).isTrue();
    first.getAttributes().forEach((key, value) -> {
      AttributeKey<?> inSecond = second.getAttributes().asMap().keySet().stream()
          .filter(k -> k.getKey().equals(key.getKey())).findFirst().orElseThrow();
      assertThat(inSecond).as(key.getKey()).isSameAs(key);
    });
  }
}
