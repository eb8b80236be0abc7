package hyperion.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import hyperion.Span;
import hyperion.SpanKind;
import hyperion.StatusCode;
import hyperion.TextMapGetter;
import hyperion.TextMapSetter;
import hyperion.TraceContext;
import hyperion.Tracer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Tracer} shares. An implementation's test extends this class and
 * supplies the tracer; the no-op tracer runs it with {@link #recording()} false, which skips the
 * checks that need real ids.
 *
 * <p>Checks that look at ended spans (parent ids, kinds, attributes, status) run only when {@link
 * #finishedSpans()} returns a list; an implementation that can show what it recorded should
 * override it.
 */
public abstract class TracerContract {

  /** The tracer under test; may be the same instance for every test. */
  protected abstract Tracer tracer();

  /** Whether the tracer records real spans with valid ids; false for the no-op. */
  protected boolean recording() {
    return true;
  }

  /**
   * The spans ended since the last {@link #resetFinishedSpans()}, in end order, or {@code null}
   * when the implementation cannot show them (the checks that need them are then skipped).
   */
  protected List<FinishedSpan> finishedSpans() {
    return null;
  }

  /** Forgets the spans ended so far; called before every test. */
  protected void resetFinishedSpans() {}

  /**
   * What an ended span looked like, in the port's terms.
   *
   * @param name the span name
   * @param traceId the trace id
   * @param spanId the span id
   * @param parentSpanId the parent's span id, or all zeros for a root span
   * @param kind the kind
   * @param attributes the attributes, values as String, Long, Double or Boolean
   * @param status the status code
   * @param eventNames the names of the events, in order
   * @param links the linked spans as {@code <trace id>-<span id>}, in the order they were added
   */
  public record FinishedSpan(String name, String traceId, String spanId, String parentSpanId, SpanKind kind,
      Map<String, Object> attributes, StatusCode status, List<String> eventNames, List<String> links) {}

  /** A map carrier with case-insensitive reads, like HTTP headers. */
  protected static final TextMapSetter<Map<String, String>> SETTER = (c, k, v) -> c.put(k.toLowerCase(Locale.ROOT), v);

  /** Reads {@link #SETTER}'s carriers. */
  protected static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier.get(key.toLowerCase(Locale.ROOT));
    }
  };

  private static final String ZERO_TRACE = "00000000000000000000000000000000";
  private static final String ZERO_SPAN = "0000000000000000";

  @BeforeEach
  void resetContract() {
    resetFinishedSpans();
  }

  @AfterEach
  void noSpanLeaksOutOfATest() {
    assertThat(tracer().currentSpan().context().isValid())
        .as("a test left a span current on the test thread").isFalse();
  }

  private List<FinishedSpan> finished() {
    List<FinishedSpan> spans = finishedSpans();
    assumeTrue(spans != null, "the implementation does not expose finished spans");
    return spans;
  }

  private FinishedSpan finished(String name) {
    return finished().stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no finished span named " + name + " in " + finishedSpans()));
  }

  private void assumeRecording() {
    assumeTrue(recording(), "the tracer does not record");
  }

  /** Bad input and calls after end are ignored, never thrown. */
  @Nested
  class NeverThrows {

    @Test
    void nullsEverywhere() {
      assertThatCode(() -> {
        try (Span span = tracer().start(null)) {
          span.setAttribute(null, "v").setAttribute("k", (String) null).setAttribute(null, 1L)
              .setAttribute(null, 1.0).setAttribute(null, true)
              .addEvent(null).addEvent(null, Map.of()).addEvent("e", null)
              .recordError(null).setStatus(null, null).setStatus(StatusCode.OK, null);
          Map<String, Object> withNull = new HashMap<>();
          withNull.put("k", null);
          withNull.put(null, "v");
          span.addEvent("e", withNull);
        }
        try (Span span = tracer().spanBuilder(null).kind(null).parent(null).attribute(null, "v")
            .attribute("k", (String) null).attribute(null, 1L).attribute(null, 1.0).attribute(null, false)
            .link(null).link(null, null).link(TraceContext.INVALID, Map.of("k", "v")).start()) {
          span.setAttribute("ok", "yes");
        }
      }).doesNotThrowAnyException();
    }

    @Test
    void oddValues() {
      assertThatCode(() -> {
        try (Span span = tracer().start("odd")) {
          span.setAttribute("nan", Double.NaN).setAttribute("inf", Double.POSITIVE_INFINITY)
              .setAttribute("max", Long.MAX_VALUE).setAttribute("", "empty key").setAttribute("long", "x".repeat(100_000))
              .addEvent("objects", Map.of("int", 1, "float", 1.5f, "object", new Object(), "list", List.of(1, 2)));
        }
      }).doesNotThrowAnyException();
    }

    @Test
    void everyCallAfterEndIsIgnored() {
      Span span = tracer().start("ended");
      span.close();
      assertThatCode(() -> {
        span.setAttribute("k", "v").setAttribute("k", 1L).setAttribute("k", 1.0).setAttribute("k", true)
            .addEvent("late").addEvent("late", Map.of("k", "v")).recordError(new IllegalStateException("late"))
            .setStatus(StatusCode.ERROR, "late");
        span.end();
        span.close();
        span.close();
      }).doesNotThrowAnyException();
      assertThat(span.isRecording()).isFalse();
      assertThat(tracer().currentSpan().context().isValid()).isFalse();
    }

    @Test
    void closingOnAnotherThreadEndsWithoutDisturbingThatThread() throws Exception {
      Span span = tracer().start("handed-over");
      CompletableFuture.runAsync(span::close).get(5, TimeUnit.SECONDS);
      assertThat(span.isRecording()).isFalse();
      span.close(); // the owner's close still restores its scope
      assertThat(tracer().currentSpan().context().isValid()).isFalse();
    }

    @Test
    void brokenCarriersAreIgnored() {
      TextMapGetter<Map<String, String>> throwing = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          throw new IllegalStateException("broken");
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          throw new IllegalStateException("broken");
        }
      };
      try (Span span = tracer().start("broken-carrier")) {
        assertThatCode(() -> tracer().inject(new HashMap<String, String>(), (c, k, v) -> {
          throw new IllegalStateException("broken");
        })).doesNotThrowAnyException();
        assertThatCode(() -> tracer().inject(null, SETTER)).doesNotThrowAnyException();
        assertThat(tracer().extract(Map.of("traceparent", "x"), throwing).isValid()).isFalse();
        assertThat(tracer().extract(null, GETTER).isValid()).isFalse();
      }
    }
  }

  /** The span from {@code start()} is current until closed, then the previous one is back. */
  @Nested
  class CurrentSpan {

    @Test
    void noSpanMeansAnInvalidCurrentSpan() {
      Span current = tracer().currentSpan();
      assertThat(current.context().isValid()).isFalse();
      assertThat(current.traceId()).isEqualTo(ZERO_TRACE);
      assertThat(current.spanId()).isEqualTo(ZERO_SPAN);
      assertThat(current.isRecording()).isFalse();
    }

    @Test
    void startedSpanIsCurrentUntilClosed() {
      assumeRecording();
      try (Span span = tracer().start("outer")) {
        assertThat(tracer().currentSpan().context().spanId()).isEqualTo(span.spanId());
        assertThat(span.isRecording()).isTrue();
        assertThat(span.context().isValid()).isTrue();
        assertThat(span.traceId()).matches("[0-9a-f]{32}");
        assertThat(span.spanId()).matches("[0-9a-f]{16}");
        assertThat(span.isSampled()).isTrue();
        assertThat(span.context().isRemote()).isFalse();
      }
      assertThat(tracer().currentSpan().context().isValid()).isFalse();
    }

    @Test
    void closingRestoresThePreviousSpan() {
      assumeRecording();
      try (Span outer = tracer().start("outer")) {
        try (Span inner = tracer().start("inner")) {
          assertThat(tracer().currentSpan().spanId()).isEqualTo(inner.spanId());
        }
        assertThat(tracer().currentSpan().spanId()).isEqualTo(outer.spanId());
        try (Span built = tracer().spanBuilder("built").start()) {
          assertThat(tracer().currentSpan().spanId()).isEqualTo(built.spanId());
        }
        assertThat(tracer().currentSpan().spanId()).isEqualTo(outer.spanId());
      }
    }

    @Test
    void endDoesNotChangeTheCurrentSpan() {
      assumeRecording();
      try (Span span = tracer().start("ended-early")) {
        span.end();
        assertThat(span.isRecording()).isFalse();
        assertThat(tracer().currentSpan().spanId()).isEqualTo(span.spanId());
      }
    }
  }

  /** A span started while another is current is its child. */
  @Nested
  class Nesting {

    @Test
    void childSharesTheTraceAndPointsAtTheParent() {
      assumeRecording();
      String parentId;
      try (Span parent = tracer().start("parent")) {
        parentId = parent.spanId();
        try (Span child = tracer().start("child")) {
          assertThat(child.traceId()).isEqualTo(parent.traceId());
          assertThat(child.spanId()).isNotEqualTo(parent.spanId());
        }
      }
      assertThat(finished("child").parentSpanId()).isEqualTo(parentId);
      assertThat(finished("parent").parentSpanId()).isEqualTo(ZERO_SPAN);
    }

    @Test
    void siblingsStartNewTracesAtTheTop() {
      assumeRecording();
      String first;
      try (Span a = tracer().start("a")) {
        first = a.traceId();
      }
      try (Span b = tracer().start("b")) {
        assertThat(b.traceId()).isNotEqualTo(first);
      }
    }
  }

  /** {@code wrap} carries the current span to other threads. */
  @Nested
  class CrossThread {

    @Test
    void wrappedRunnableAndCallableSeeTheSpan() throws Exception {
      assumeRecording();
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try (Span span = tracer().start("submitter")) {
        AtomicReference<String> seen = new AtomicReference<>();
        Runnable r = tracer().wrap(() -> seen.set(tracer().currentSpan().spanId()));
        pool.submit(r).get(5, TimeUnit.SECONDS);
        assertThat(seen.get()).isEqualTo(span.spanId());

        Callable<String> c = tracer().wrap(() -> tracer().currentSpan().spanId());
        assertThat(pool.submit(c).get(5, TimeUnit.SECONDS)).isEqualTo(span.spanId());

        // Unwrapped tasks do not see it, and the wrapper left nothing behind on the pool thread.
        assertThat(pool.submit(() -> tracer().currentSpan().context().isValid()).get(5, TimeUnit.SECONDS)).isFalse();
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    void wrappedExecutorsCaptureTheSpanAtSubmission() throws Exception {
      assumeRecording();
      ExecutorService raw = Executors.newSingleThreadExecutor();
      ExecutorService wrapped = tracer().wrap(raw);
      try {
        try (Span span = tracer().start("submitter")) {
          assertThat(wrapped.submit(() -> tracer().currentSpan().spanId()).get(5, TimeUnit.SECONDS))
              .isEqualTo(span.spanId());
          CompletableFuture<String> viaExecutor = new CompletableFuture<>();
          tracer().wrap((java.util.concurrent.Executor) raw)
              .execute(() -> viaExecutor.complete(tracer().currentSpan().spanId()));
          assertThat(viaExecutor.get(5, TimeUnit.SECONDS)).isEqualTo(span.spanId());
        }
        // Submitted with no span current: the task sees none.
        assertThat(wrapped.submit(() -> tracer().currentSpan().context().isValid()).get(5, TimeUnit.SECONDS)).isFalse();
      } finally {
        wrapped.shutdownNow();
      }
    }

    @Test
    void spansStartedInWrappedTasksAreChildren() throws Exception {
      assumeRecording();
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try (Span parent = tracer().start("async-parent")) {
        String childTrace = pool.submit(tracer().wrap(() -> {
          try (Span child = tracer().start("async-child")) {
            return child.traceId();
          }
        })).get(5, TimeUnit.SECONDS);
        assertThat(childTrace).isEqualTo(parent.traceId());
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    void wrappingWorksWithoutACurrentSpan() throws Exception {
      AtomicReference<Boolean> valid = new AtomicReference<>();
      Thread t = new Thread(tracer().wrap(() -> valid.set(tracer().currentSpan().context().isValid())));
      t.start();
      t.join(5000);
      assertThat(valid.get()).isFalse();
    }
  }

  /** W3C Trace Context and baggage across processes. */
  @Nested
  class Propagation {

    @Test
    void injectWritesATraceparentThatExtractReads() {
      assumeRecording();
      Map<String, String> carrier = new HashMap<>();
      String traceId;
      String spanId;
      try (Span span = tracer().start("client")) {
        traceId = span.traceId();
        spanId = span.spanId();
        tracer().inject(carrier, SETTER);
      }
      assertThat(carrier.get("traceparent")).matches("00-" + traceId + "-" + spanId + "-[0-9a-f]{2}");
      assertThat(Integer.parseInt(carrier.get("traceparent").substring(53), 16) & 1).as("sampled flag").isEqualTo(1);
      TraceContext remote = tracer().extract(carrier, GETTER);
      assertThat(remote.isValid()).isTrue();
      assertThat(remote.isRemote()).isTrue();
      assertThat(remote.isSampled()).isTrue();
      assertThat(remote.traceId()).isEqualTo(traceId);
      assertThat(remote.spanId()).isEqualTo(spanId);
    }

    @Test
    void extractedContextParentsASpanInTheSameTrace() {
      assumeRecording();
      TraceContext remote = tracer().extract(
          Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), GETTER);
      try (Span server = tracer().spanBuilder("server").kind(SpanKind.SERVER).parent(remote).start()) {
        assertThat(server.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(server.spanId()).isNotEqualTo("00f067aa0ba902b7");
      }
      assertThat(finished("server").parentSpanId()).isEqualTo("00f067aa0ba902b7");
    }

    @Test
    void tracestateAndBaggageFlowThroughAnExtractedParent() {
      assumeRecording();
      Map<String, String> in = Map.of(
          "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
          "tracestate", "congo=t61rcWkgMzE",
          "baggage", "user.id=42");
      TraceContext remote = tracer().extract(in, GETTER);
      Map<String, String> out = new HashMap<>();
      try (Span server = tracer().spanBuilder("server").parent(remote).start()) {
        tracer().inject(out, SETTER);
        assertThat(out.get("traceparent")).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-" + server.spanId() + "-");
      }
      assertThat(out.get("tracestate")).isEqualTo("congo=t61rcWkgMzE");
      assertThat(out.get("baggage")).contains("user.id=42");
    }

    @Test
    void unsampledParentsStayUnsampled() {
      assumeRecording();
      TraceContext remote = tracer().extract(
          Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"), GETTER);
      assertThat(remote.isSampled()).isFalse();
      Map<String, String> out = new HashMap<>();
      try (Span span = tracer().spanBuilder("follower").parent(remote).start()) {
        assertThat(span.isSampled()).isFalse();
        assertThat(span.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        tracer().inject(out, SETTER);
      }
      assertThat(Integer.parseInt(out.get("traceparent").substring(53), 16) & 1).as("sampled flag").isZero();
    }

    @Test
    void missingOrMalformedHeadersExtractAsInvalid() {
      for (Map<String, String> carrier : List.of(Map.<String, String>of(),
          Map.of("traceparent", "garbage"),
          Map.of("traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
          Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),
          Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"))) {
        TraceContext extracted = tracer().extract(carrier, GETTER);
        assertThat(extracted.isValid()).as("extract(%s)", carrier).isFalse();
        assertThat(extracted.traceId()).isEqualTo(ZERO_TRACE);
      }
    }

    @Test
    void injectWithoutASpanWritesNoTraceparent() {
      Map<String, String> carrier = new HashMap<>();
      tracer().inject(carrier, SETTER);
      assertThat(carrier).doesNotContainKey("traceparent");
    }

    @Test
    void anInvalidParentStartsANewTrace() {
      assumeRecording();
      try (Span outer = tracer().start("outer")) {
        try (Span span = tracer().spanBuilder("fresh").parent(TraceContext.INVALID).start()) {
          assertThat(span.context().isValid()).isTrue();
          assertThat(span.traceId()).isNotEqualTo(outer.traceId());
        }
      }
    }
  }

  /** The span builder: kinds, attributes before start, explicit parents. */
  @Nested
  class Builder {

    @Test
    void everyKindIsRecorded() {
      assumeRecording();
      for (SpanKind kind : SpanKind.values()) {
        try (Span span = tracer().spanBuilder("kind-" + kind).kind(kind).start()) {
          assertThat(span.isRecording()).isTrue();
        }
      }
      for (SpanKind kind : SpanKind.values()) {
        assertThat(finished("kind-" + kind).kind()).isEqualTo(kind);
      }
    }

    @Test
    void defaultKindIsInternal() {
      assumeRecording();
      tracer().start("plain").close();
      assertThat(finished("plain").kind()).isEqualTo(SpanKind.INTERNAL);
    }

    @Test
    void attributesOfTheFourTypesKeepTheirType() {
      assumeRecording();
      try (Span span = tracer().spanBuilder("typed").attribute("b.s", "text").attribute("b.l", 42L)
          .attribute("b.d", 1.5).attribute("b.b", true).start()) {
        span.setAttribute("s.s", "more").setAttribute("s.l", 7L).setAttribute("s.d", 0.25).setAttribute("s.b", false);
      }
      assertThat(finished("typed").attributes()).containsEntry("b.s", "text").containsEntry("b.l", 42L)
          .containsEntry("b.d", 1.5).containsEntry("b.b", true).containsEntry("s.s", "more").containsEntry("s.l", 7L)
          .containsEntry("s.d", 0.25).containsEntry("s.b", false);
    }

    @Test
    void explicitParentWinsOverTheCurrentSpan() {
      assumeRecording();
      TraceContext parentContext;
      try (Span parent = tracer().start("explicit-parent")) {
        parentContext = parent.context();
      }
      try (Span current = tracer().start("current")) {
        try (Span child = tracer().spanBuilder("explicit-child").parent(parentContext).start()) {
          assertThat(child.traceId()).isEqualTo(parentContext.traceId()).isNotEqualTo(current.traceId());
          assertThat(tracer().currentSpan().spanId()).isEqualTo(child.spanId());
        }
        assertThat(tracer().currentSpan().spanId()).isEqualTo(current.spanId());
      }
      assertThat(finished("explicit-child").parentSpanId()).isEqualTo(parentContext.spanId());
    }

    @Test
    void noParentStartsANewTrace() {
      assumeRecording();
      try (Span current = tracer().start("current")) {
        try (Span root = tracer().spanBuilder("root").noParent().start()) {
          assertThat(root.traceId()).isNotEqualTo(current.traceId());
          assertThat(tracer().currentSpan().spanId()).isEqualTo(root.spanId());
        }
      }
      assertThat(finished("root").parentSpanId()).isEqualTo(ZERO_SPAN);
    }

    @Test
    void linksPointAtOtherSpansWithoutMakingThemParents() {
      assumeRecording();
      TraceContext first;
      TraceContext second;
      try (Span producer = tracer().start("producer-1")) {
        first = producer.context();
      }
      try (Span producer = tracer().start("producer-2")) {
        second = producer.context();
      }
      TraceContext remote = tracer().extract(
          Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), GETTER);
      try (Span batch = tracer().spanBuilder("batch").kind(SpanKind.CONSUMER).link(first)
          .link(second, Map.of("messaging.message.id", "m-2")).link(remote).link(TraceContext.INVALID).link(null)
          .start()) {
        assertThat(batch.traceId()).isNotIn(first.traceId(), second.traceId(), remote.traceId());
      }
      FinishedSpan f = finished("batch");
      assertThat(f.parentSpanId()).isEqualTo(ZERO_SPAN);
      assertThat(f.links()).containsExactly(first.traceId() + "-" + first.spanId(),
          second.traceId() + "-" + second.spanId(), "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7");
    }

    @Test
    void eventsAndStatusAreRecorded() {
      assumeRecording();
      try (Span span = tracer().start("evented")) {
        span.addEvent("cache.miss").addEvent("retry", Map.of("attempt", 2)).setStatus(StatusCode.OK, null);
      }
      FinishedSpan f = finished("evented");
      assertThat(f.eventNames()).containsExactly("cache.miss", "retry");
      assertThat(f.status()).isEqualTo(StatusCode.OK);
    }
  }

  /** {@code inSpan} runs a block in a span and records what it throws. */
  @Nested
  class InSpan {

    @Test
    void returnsTheValueInsideASpan() {
      AtomicReference<String> inside = new AtomicReference<>();
      String value = tracer().inSpan("compute", () -> {
        inside.set(tracer().currentSpan().spanId());
        return "value";
      });
      assertThat(value).isEqualTo("value");
      if (recording()) {
        assertThat(inside.get()).isNotEqualTo(ZERO_SPAN);
      }
      assertThat(tracer().currentSpan().context().isValid()).isFalse();
    }

    @Test
    void rethrowsAndRecordsTheError() {
      IllegalStateException boom = new IllegalStateException("boom");
      assertThatThrownBy(() -> tracer().inSpan("failing", (Runnable) () -> {
        throw boom;
      })).isSameAs(boom);
      assertThat(tracer().currentSpan().context().isValid()).isFalse();
      if (recording() && finishedSpans() != null) {
        FinishedSpan f = finished("failing");
        assertThat(f.status()).isEqualTo(StatusCode.ERROR);
        assertThat(f.eventNames()).contains("exception");
      }
    }

    @Test
    void recordErrorMarksTheSpanFailed() {
      assumeRecording();
      try (Span span = tracer().start("recorded")) {
        span.recordError(new IllegalArgumentException("bad"));
      }
      FinishedSpan f = finished("recorded");
      assertThat(f.status()).isEqualTo(StatusCode.ERROR);
      assertThat(f.eventNames()).containsExactly("exception");
    }

    @Test
    void nestedInSpanBuildsATree() {
      assumeRecording();
      List<String> traces = new ArrayList<>();
      tracer().inSpan("outer-block", () -> {
        traces.add(tracer().currentSpan().traceId());
        tracer().inSpan("inner-block", () -> traces.add(tracer().currentSpan().traceId()));
      });
      assertThat(traces).hasSize(2);
      assertThat(traces.get(0)).isEqualTo(traces.get(1));
    }
  }
}
