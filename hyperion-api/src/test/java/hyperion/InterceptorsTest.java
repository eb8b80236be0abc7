package hyperion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.testkit.RecordingMetrics;
import hyperion.testkit.RecordingTracer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InterceptorsTest {

  /** A service as users write them: annotated methods on a Guice-created class. */
  static class OrderService {
    @Traced
    @Timed
    String place(String id) {
      return "order-" + id;
    }

    @Traced(value = "orders.fail", kind = SpanKind.SERVER)
    @Timed("orders_fail_duration_seconds")
    void fail() {
      throw new IllegalStateException("no stock");
    }
  }

  @Traced
  static class AllTraced {
    String one() {
      return "1";
    }

    String two() {
      return one() + "2";
    }
  }

  private final RecordingTracer tracer = new RecordingTracer();
  private final RecordingMetrics metrics = new RecordingMetrics();
  private Injector injector;

  @BeforeEach
  void setUp() {
    injector = Guice.createInjector(new HyperionModule(), new AbstractModule() {
      @Override
      protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), Tracer.class).setBinding().toInstance(tracer);
        OptionalBinder.newOptionalBinder(binder(), Metrics.class).setBinding().toInstance(metrics);
      }
    });
  }

  @Test
  void tracedWrapsTheCallInASpanNamedClassDotMethod() {
    assertThat(injector.getInstance(OrderService.class).place("7")).isEqualTo("order-7");
    RecordingTracer.RecordedSpan span = tracer.finished("OrderService.place");
    assertThat(span.kind).isEqualTo(SpanKind.INTERNAL);
    assertThat(span.status).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void tracedRecordsTheErrorAndRethrows() {
    assertThatThrownBy(() -> injector.getInstance(OrderService.class).fail()).hasMessage("no stock");
    RecordingTracer.RecordedSpan span = tracer.finished("orders.fail");
    assertThat(span.kind).isEqualTo(SpanKind.SERVER);
    assertThat(span.status).isEqualTo(StatusCode.ERROR);
    assertThat(span.error).hasMessage("no stock");
  }

  @Test
  void timedObservesTheDurationWithAResultLabel() {
    OrderService s = injector.getInstance(OrderService.class);
    s.place("1");
    s.place("2");
    assertThatThrownBy(s::fail);
    assertThat(metrics.count("hyperion_method_duration_seconds", "OrderService", "place", "success")).isEqualTo(2);
    assertThat(metrics.count("orders_fail_duration_seconds", "OrderService", "fail", "error")).isEqualTo(1);
    assertThat(metrics.sum("hyperion_method_duration_seconds", "OrderService", "place", "success")).isPositive();
  }

  @Test
  void tracedOnATypeCoversEveryMethodAndNests() {
    assertThat(injector.getInstance(AllTraced.class).two()).isEqualTo("12");
    RecordingTracer.RecordedSpan outer = tracer.finished("AllTraced.two");
    RecordingTracer.RecordedSpan inner = tracer.finished("AllTraced.one");
    assertThat(inner.parentSpanId).isEqualTo(outer.ids.spanId());
    assertThat(inner.ids.traceId()).isEqualTo(outer.ids.traceId());
  }
}
