/**
 * The README's quick start as an application module, what a service on the module path declares
 * (docs/architecture.md shows it; ModulePathQuickStartTest compiles and runs it).
 */
// docs/architecture.md:start
module hyperion.examples.quickstart {
  requires hyperion.api; // with it: Guice (com.google.guice) and jakarta.inject
  requires hyperion.otel;
  requires hyperion.caffeine;
  requires hyperion.redis;
  requires hyperion.prometheus;

  // Guice constructs the service and subclasses it for @Traced/@Cached;
  // Jackson writes and reads the values the Redis layer caches.
  opens hyperion.examples.quickstart to com.google.guice, com.fasterxml.jackson.databind;
}
// docs/architecture.md:end
