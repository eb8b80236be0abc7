package hyperion.otel;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.filter.ThresholdFilter;
import hyperion.config.ConfigException;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.instrumentation.logback.appender.v1_0.OpenTelemetryAppender;
import org.slf4j.LoggerFactory;

/**
 * Exports Logback events as OpenTelemetry log records ({@code tracing.logs.enabled}): an {@link
 * OpenTelemetryAppender} of this injector's own, bound to its SDK, on the root logger from start
 * to stop. The appender reads the current span when an event is logged, so records carry its trace
 * and span ids. Logback and the appender are optional dependencies: this class is loaded only when
 * logs are switched on, after {@link #requireAvailable()}.
 */
final class LogbackLogExport {
  private static final String APPENDER = "io.opentelemetry.instrumentation.logback.appender.v1_0.OpenTelemetryAppender";
  private static final String LOGGER_CONTEXT = "ch.qos.logback.classic.LoggerContext";

  private final OpenTelemetryAppender appender = new OpenTelemetryAppender();
  private final OpenTelemetry openTelemetry;
  private final TracingConfig.Logs.Level level;

  LogbackLogExport(OpenTelemetry openTelemetry, TracingConfig.Logs.Level level) {
    this.openTelemetry = openTelemetry;
    this.level = level;
  }

  /** Fails start-up, naming the key, unless Logback is the SLF4J back end and the appender is on the class path. */
  static void requireAvailable() {
    String missing = !present(APPENDER) ? "io.opentelemetry.instrumentation:opentelemetry-logback-appender-1.0"
        : !present(LOGGER_CONTEXT) || !LOGGER_CONTEXT.equals(LoggerFactory.getILoggerFactory().getClass().getName())
        ? "logback-classic as the SLF4J back end" : null;
    ConfigException.require(missing == null, "tracing.logs.enabled", true, "true only with " + missing
        + " on the class path");
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, LogbackLogExport.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
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
