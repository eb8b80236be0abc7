/**
 * The README's quick start as an application module: what a service on the module path declares.
 * Guice constructs and intercepts the service's package-private classes, and the Redis layer's
 * Jackson codec writes its values, so the package is opened to both.
 */
module hyperion.examples.quickstart {
  requires hyperion.api;
  requires hyperion.otel;
  requires hyperion.caffeine;
  requires hyperion.redis;
  requires hyperion.prometheus;

  opens hyperion.examples.quickstart to com.google.guice, com.fasterxml.jackson.databind;
}
