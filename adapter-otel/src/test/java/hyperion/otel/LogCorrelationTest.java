package hyperion.otel;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import hyperion.Span;
import hyperion.Tracer;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Log correlation as docs/tracing.md sets it up: the ids are read from the current span when a line
 * is logged (Logback's OpenTelemetry MDC appender, Log4j 2's OpenTelemetry context data provider);
 * spans themselves write nothing to the MDC.
 */
class LogCorrelationTest {
  private static final Tracer SAMPLED = TestSupport.injector("tracing:\n  exporter: none\n", Map.of())
      .getInstance(Tracer.class);
  private static final Tracer UNSAMPLED = TestSupport.injector("tracing:\n  exporter: none\n  sample_rate: 0.0\n",
      Map.of()).getInstance(Tracer.class);

  /** One logged line: its message and the correlation keys it carried (null when absent). */
  record Line(String message, String traceId, String spanId) {}

  @Nested
  class Logback {
    private final org.slf4j.Logger log = LoggerFactory.getLogger("hyperion.otel.correlation");
    private ListAppender<ILoggingEvent> capture;

    @SuppressWarnings("unchecked")
    @BeforeEach
    void findTheCapturingAppender() {
      var logger = (ch.qos.logback.classic.Logger) log;
      var correlating = (ch.qos.logback.core.spi.AppenderAttachable<ILoggingEvent>) logger.getAppender("CORRELATED_CAPTURE");
      capture = (ListAppender<ILoggingEvent>) correlating.getAppender("CAPTURE");
      capture.list.clear();
    }

    private List<Line> lines() {
      List<Line> lines = new ArrayList<>();
      for (ILoggingEvent e : capture.list) {
        Map<String, String> mdc = e.getMDCPropertyMap();
        lines.add(new Line(e.getFormattedMessage(), mdc.get("trace_id"), mdc.get("span_id")));
      }
      return lines;
    }

    @Test
    void linesInsideASpanCarryItsIdsAndLinesOutsideCarryNone() throws Exception {
      log.info("before");
      String traceId;
      String outerId;
      String innerId;
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try (Span outer = SAMPLED.start("outer")) {
        traceId = outer.traceId();
        outerId = outer.spanId();
        log.info("in outer");
        try (Span inner = SAMPLED.start("inner")) {
          innerId = inner.spanId();
          log.info("in inner");
          // The span itself put nothing in the MDC: the ids come from the context at log time.
          assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
        }
        log.info("back in outer");
        pool.submit(SAMPLED.wrap(() -> log.info("in a wrapped task"))).get(5, TimeUnit.SECONDS);
        pool.submit(() -> log.info("in an unwrapped task")).get(5, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }
      log.info("after");

      assertThat(lines()).containsExactly(
          new Line("before", null, null),
          new Line("in outer", traceId, outerId),
          new Line("in inner", traceId, innerId),
          new Line("back in outer", traceId, outerId),
          new Line("in a wrapped task", traceId, outerId),
          new Line("in an unwrapped task", null, null),
          new Line("after", null, null));
      assertThat(capture.list.get(1).getMDCPropertyMap()).containsEntry("trace_flags", "03");
    }

    @Test
    void unsampledSpansCorrelateToo() {
      String traceId;
      String spanId;
      try (Span span = UNSAMPLED.start("unsampled")) {
        assertThat(span.isSampled()).isFalse();
        traceId = span.traceId();
        spanId = span.spanId();
        log.info("unsampled");
      }
      assertThat(traceId).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
      assertThat(lines()).containsExactly(new Line("unsampled", traceId, spanId));
      assertThat(Integer.parseInt(capture.list.get(0).getMDCPropertyMap().get("trace_flags"), 16) & 1)
          .as("sampled bit of trace_flags").isZero();
    }

    @Test
    void userMdcEntriesAreKeptAndNeverOverwrittenBySpans() {
      MDC.put("request_id", "r-1");
      try (Span span = SAMPLED.start("with-mdc")) {
        log.info("with mdc");
        assertThat(MDC.get("request_id")).isEqualTo("r-1");
        assertThat(capture.list.get(0).getMDCPropertyMap()).containsEntry("request_id", "r-1")
            .containsEntry("trace_id", span.traceId());
      } finally {
        MDC.remove("request_id");
      }
      assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }
  }

  @Nested
  class Log4j2 {
    private final org.apache.logging.log4j.Logger log = LogManager.getLogger("hyperion.otel.correlation.log4j");
    private final StringWriter out = new StringWriter();
    private LoggerContext context;
    private Appender appender;

    @BeforeEach
    void addAWriterAppender() {
      context = (LoggerContext) LogManager.getContext(false);
      Configuration config = context.getConfiguration();
      appender = WriterAppender.newBuilder().setName("capture").setTarget(out)
          .setLayout(PatternLayout.newBuilder().withConfiguration(config)
              .withPattern("%m trace_id=%X{trace_id} span_id=%X{span_id}%n").build())
          .build();
      appender.start();
      config.getRootLogger().addAppender(appender, Level.INFO, null);
      context.updateLoggers();
    }

    @AfterEach
    void removeIt() {
      context.getConfiguration().getRootLogger().removeAppender("capture");
      context.updateLoggers();
      appender.stop();
    }

    @Test
    void linesInsideASpanCarryItsIdsAndLinesOutsideCarryNone() {
      log.info("before");
      String sampled;
      String unsampled;
      try (Span span = SAMPLED.start("log4j")) {
        sampled = "trace_id=" + span.traceId() + " span_id=" + span.spanId();
        log.info("inside");
      }
      try (Span span = UNSAMPLED.start("log4j-unsampled")) {
        unsampled = "trace_id=" + span.traceId() + " span_id=" + span.spanId();
        log.info("unsampled");
      }
      log.info("after");
      assertThat(out.toString().lines()).containsExactly(
          "before trace_id= span_id=",
          "inside " + sampled,
          "unsampled " + unsampled,
          "after trace_id= span_id=");
    }
  }
}
