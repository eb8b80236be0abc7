/**
 * {@code HttpModule}: an instrumented Jetty 12 server and {@code java.net.http.HttpClient}, and
 * {@code HttpInstrumentation} for your own handler or client. Only {@code hyperion.http} is
 * exported; Guice, which constructs its package-private classes, gets it opened.
 */
module hyperion.http {
  requires transitive hyperion.api;
  requires transitive java.net.http; // HttpModule binds, HttpInstrumentation wraps an HttpClient
  requires transitive org.eclipse.jetty.server; // HttpModule serves, HttpInstrumentation wraps a Handler
  requires com.fasterxml.jackson.core;

  exports hyperion.http;

  opens hyperion.http to com.google.guice;
}
