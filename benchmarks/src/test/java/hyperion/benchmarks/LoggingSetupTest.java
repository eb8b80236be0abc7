package hyperion.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.spi.AppenderAttachable;
import hyperion.Span;
import hyperion.Tracer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The benchmarks run with the logging a service has: Logback, every line correlated at log time. */
class LoggingSetupTest {

  @SuppressWarnings("unchecked")
  @Test
  void logLinesInsideAPortSpanCarryItsIdsThroughTheBenchmarkAppenders() {
    assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(LoggerContext.class);
    var requests = (ch.qos.logback.classic.Logger) TracingBenchmark.REQUESTS;
    var correlating = (AppenderAttachable<ILoggingEvent>) requests.getAppender("CORRELATED_DISCARD");
    DiscardingAppender discard = (DiscardingAppender) correlating.getAppender("DISCARD");

    Tracer tracer = TracingBenchmark.injector(1.0, TracingBenchmark.batch()).getInstance(Tracer.class);
    try (Span span = tracer.start("op")) {
      TracingBenchmark.REQUESTS.info("handled {}", "op");
      assertThat(new String(discard.last(), StandardCharsets.UTF_8))
          .contains("trace_id=" + span.traceId() + " span_id=" + span.spanId() + " - handled op");
    }
    TracingBenchmark.REQUESTS.info("outside");
    assertThat(new String(discard.last(), StandardCharsets.UTF_8)).contains("trace_id= span_id= - outside");
    assertThat(discard.bytes()).isPositive();
  }
}
