/**
 * {@code PrometheusModule}: the {@link hyperion.Metrics} port over Prometheus client_java 1.x and
 * {@code /metrics} on the admin server. Only {@code hyperion.prometheus} is exported; Guice, which
 * constructs its package-private classes, gets it opened.
 */
// client_java 1.x publishes automatic modules with stable Automatic-Module-Names (io.prometheus.metrics.*).
@SuppressWarnings("requires-automatic")
module hyperion.prometheus {
  requires transitive hyperion.api;
  requires io.prometheus.metrics.config;
  requires io.prometheus.metrics.core;
  requires io.prometheus.metrics.model;
  requires io.prometheus.metrics.exporter.httpserver;
  requires io.prometheus.metrics.instrumentation.jvm;
  // The JVM metrics read JMX, but as an automatic module they cannot require it: resolve it on their behalf.
  requires java.management;
  requires io.prometheus.metrics.simpleclient.bridge;
  requires io.prometheus.metrics.tracer.common;
  requires io.prometheus.metrics.tracer.initializer;

  exports hyperion.prometheus;

  opens hyperion.prometheus to com.google.guice;
}
