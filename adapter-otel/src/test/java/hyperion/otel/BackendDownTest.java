package hyperion.otel;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import hyperion.HealthCheck;
import hyperion.Span;
import hyperion.Tracer;
import hyperion.testkit.LoopbackPorts;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** With the OTLP backend down, span end stays cheap, the queue bounded, drops counted; export resumes after. */
class BackendDownTest {

  @Test
  void spanEndNeverWaitsForADeadBackendAndExportResumes() throws Exception {
    int port = LoopbackPorts.free(); // nothing listens here yet
    TestSupport.CountingMetrics metrics = new TestSupport.CountingMetrics();
    Injector injector = TestSupport.injector("""
        tracing:
          exporter: otlp
          protocol: http/protobuf
          endpoint: http://127.0.0.1:%d
          timeout: 500ms
          batch:
            queue_size: 1000
            max_batch_size: 200
            delay: 50ms
            export_timeout: 1s
        """.formatted(port), Map.of(), TestSupport.metrics(metrics));
    Tracer tracer = injector.getInstance(Tracer.class);
    TracingRuntime runtime = injector.getInstance(TracingRuntime.class);

    long maxQueued = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < 50_000; i++) {
      try (Span s = tracer.start("while-down")) {
        s.setAttribute("i", (long) i);
      }
      if ((i & 1023) == 0) {
        maxQueued = Math.max(maxQueued, runtime.queueGate().queued());
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    System.out.printf("ended 50000 spans with the backend down in %d ms; max queued %d; dropped %d%n",
        took.toMillis(), maxQueued, runtime.queueGate().dropped());
    // 50k spans with a dead backend: generous bound for a shared 2-core machine; a blocking end
    // would take at least one export timeout (500 ms) per batch, i.e. minutes.
    assertThat(took).as("time to end 50k spans with the backend down").isLessThan(Duration.ofSeconds(10));
    assertThat(maxQueued).isLessThanOrEqualTo(1000);
    assertThat(metrics.gauge("hyperion_tracing_queue_size")).isLessThanOrEqualTo(1000);
    assertThat(metrics.counter("hyperion_tracing_spans_dropped_total")).isGreaterThan(40_000);
    assertThat(metrics.counter("hyperion_tracing_spans_dropped_total"))
        .isEqualTo((double) runtime.queueGate().dropped());

    // Wait for at least one failed export, then health reports the saturated queue or recovers.
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (metrics.counter("hyperion_tracing_spans_failed_total") == 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(metrics.counter("hyperion_tracing_spans_failed_total")).isPositive();
    HealthCheck health = injector.getInstance(com.google.inject.Key.get(new com.google.inject.TypeLiteral<Set<HealthCheck>>() {}))
        .stream().filter(h -> h.name().equals("tracing")).findFirst().orElseThrow();
    assertThat(health.check().message()).contains("last export failed");

    // The backend comes back: new spans get through.
    try (OtlpReceiver receiver = OtlpReceiver.http(port)) {
      deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      String traceId = null;
      boolean seen = false;
      while (!seen && System.nanoTime() < deadline) {
        try (Span s = tracer.start("after-recovery")) {
          traceId = s.traceId();
        }
        Thread.sleep(100);
        String id = traceId;
        seen = receiver.spans().stream().anyMatch(sp -> OtlpIntegrationTest.hex(sp.getTraceId()).equals(id));
      }
      assertThat(seen).as("a span ended after recovery reached the receiver").isTrue();
      assertThat(metrics.counter("hyperion_tracing_spans_exported_total")).isPositive();
      assertThat(health.check().healthy()).isTrue();
      runtime.stop();
    }
  }
}
