package hyperion.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Counter;
import hyperion.Histogram;
import hyperion.Span;
import hyperion.Tracer;
import org.junit.jupiter.api.Test;

/** Observations made while a sampled span is current carry its ids in the OpenMetrics output. */
class ExemplarTest {

  private static AbstractModule tracer(Tracer tracer) {
    return new AbstractModule() {
      @Override
      protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), Tracer.class).setBinding().toInstance(tracer);
      }
    };
  }

  private static final String EXEMPLAR =
      "# {span_id=\"" + FixedTracer.SPAN_ID + "\",trace_id=\"" + FixedTracer.TRACE_ID + "\"}";

  @Test
  void sampledSpanIdsBecomeExemplars() {
    FixedTracer tracer = new FixedTracer(true);
    try (Admin admin = Admin.start("collect_runtime: false", tracer(tracer))) {
      Counter.Child requests = admin.metrics().counter("hyperion_test_requests_total", "Requests", "route")
          .labels("/users");
      Histogram.Child latency = admin.metrics().histogram("hyperion_test_latency_seconds", "Latency", "route")
          .labels("/users");
      Span span = tracer.start("GET /users");
      try (span) {
        requests.inc();
        latency.observe(0.042);
      }

      String om = admin.scrapeOpenMetrics();
      assertThat(om).containsPattern("hyperion_test_requests_total\\{route=\"/users\"} 1\\.0 "
          + java.util.regex.Pattern.quote(EXEMPLAR) + " 1\\.0");
      assertThat(om).containsPattern("hyperion_test_latency_seconds_bucket\\{route=\"/users\",le=\"0\\.05\"} 1 "
          + java.util.regex.Pattern.quote(EXEMPLAR) + " 0\\.042");
      // The span learns that a metric points at it (for tail-sampling backends).
      assertThat(((FixedTracer.FixedSpan) span).attributes).containsEntry("exemplar", "true");
      // Exemplars are an OpenMetrics feature: the classic text format stays plain.
      assertThat(admin.scrape()).doesNotContain("trace_id");
    }
  }

  @Test
  void unsampledSpansLeaveNoExemplar() {
    FixedTracer tracer = new FixedTracer(false);
    try (Admin admin = Admin.start("collect_runtime: false", tracer(tracer))) {
      Counter.Child c = admin.metrics().counter("hyperion_test_unsampled_total", "Unsampled").labels();
      try (Span ignored = tracer.start("op")) {
        c.inc();
      }
      assertThat(admin.scrapeOpenMetrics()).contains("hyperion_test_unsampled_total 1.0").doesNotContain("trace_id");
    }
  }

  @Test
  void exemplarsCanBeTurnedOff() {
    FixedTracer tracer = new FixedTracer(true);
    try (Admin admin = Admin.start("collect_runtime: false\nexemplars: false", tracer(tracer))) {
      Counter.Child c = admin.metrics().counter("hyperion_test_plain_total", "Plain").labels();
      try (Span ignored = tracer.start("op")) {
        c.inc();
      }
      assertThat(admin.scrapeOpenMetrics()).contains("hyperion_test_plain_total 1.0").doesNotContain("trace_id");
    }
  }
}
