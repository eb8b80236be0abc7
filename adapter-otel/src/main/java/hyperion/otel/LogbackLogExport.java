package hyperion.otel;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.filter.ThresholdFilter;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.instrumentation.logback.appender.v1_0.OpenTelemetryAppender;
import org.slf4j.LoggerFactory;

/**
 * Exports Logback events as OpenTelemetry log records ({@code tracing.logs.enabled}): an {@link
 * OpenTelemetryAppender} of this injector's own, bound to its SDK, on the root logger from start
 * to stop. The appender reads the current span when an event is logged, so records carry its trace
 * and span ids. Logback and the appender are optional dependencies: this class is loaded only when
 * logs are switched on, after {@code OwnSdk} checked that both are there (loading it without them
 * would fail verification, not with a message naming the key).
 */
final class LogbackLogExport {
  private final OpenTelemetryAppender appender = new OpenTelemetryAppender();
  private final OpenTelemetry openTelemetry;
  private final TracingConfig.Logs.Level level;

  LogbackLogExport(OpenTelemetry openTelemetry, TracingConfig.Logs.Level level) {
    this.openTelemetry = openTelemetry;
    this.level = level;
  }

  void attach() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    ThresholdFilter threshold = new ThresholdFilter();
    threshold.setLevel(level.name());
    threshold.setContext(context);
    threshold.start();
    appender.setName("hyperion-otel-logs-" + System.identityHashCode(this));
    appender.setContext(context);
    appender.addFilter(threshold);
    appender.start();
    appender.setOpenTelemetry(openTelemetry);
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
  }

  void detach() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(appender);
    appender.stop();
  }
}
