/**
 * {@code OtelModule}: the {@link hyperion.Tracer} port over the OpenTelemetry SDK, exporting over
 * OTLP or to Zipkin. Only {@code hyperion.otel} is exported; Guice, which constructs its
 * package-private classes, gets it opened.
 */
// OpenTelemetry and Zipkin publish automatic modules with stable Automatic-Module-Names.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module hyperion.otel {
  requires transitive hyperion.api;
  requires com.fasterxml.jackson.annotation;
  requires io.opentelemetry.api;
  requires io.opentelemetry.context;
  requires io.opentelemetry.sdk;
  requires io.opentelemetry.sdk.common;
  requires io.opentelemetry.sdk.trace;
  requires io.opentelemetry.sdk.logs;
  requires io.opentelemetry.sdk.autoconfigure.spi;
  requires io.opentelemetry.exporter.otlp;
  // The OTLP exporter sends through OkHttp, but its sender, an automatic module, cannot require it:
  // resolve it on the sender's behalf.
  requires okhttp3;
  requires zipkin2;
  requires zipkin2.reporter;
  requires zipkin2.reporter.urlconnection;
  requires org.slf4j;
  // tracing.logs: optional, used only when present (see OwnSdk.requireLogback).
  requires static ch.qos.logback.classic;
  requires static io.opentelemetry.instrumentation.logback_appender_1_0;

  exports hyperion.otel;

  opens hyperion.otel to com.google.guice;
}
