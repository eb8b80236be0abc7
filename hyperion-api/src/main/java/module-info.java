/**
 * Hyperion's ports, their no-op defaults, configuration, lifecycle and health, the admin server, the
 * one {@link hyperion.Cache} implementation over the cache layer SPI, and the Guice interceptors.
 *
 * <p>Applications {@code requires hyperion.api} (Guice and jakarta.inject come with it). Guice
 * constructs and intercepts the package-private classes here, so their packages are opened to it;
 * {@code hyperion.internal} is exported to Hyperion's own adapters only.
 */
// Guice is an automatic module named by the Automatic-Module-Name in its manifest (stable). Its
// aopalliance (MethodInterceptor, which the @Traced/@Timed/@Cached interceptors implement) has no
// module name of its own, so it is not required by a name derived from its file name: an
// automatic module grants implied readability to all others, so this module reads aopalliance
// through Guice (compiled with --add-reads hyperion.api=ALL-UNNAMED, see pom.xml).
// "module": the qualified export names adapters that are not on this module's path.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic", "module"})
module hyperion.api {
  requires transitive com.google.guice;
  requires transitive jakarta.inject;
  requires transitive jdk.httpserver; // AdminEndpoint hands out com.sun.net.httpserver handlers
  // Guice uses Guava, but as an automatic module it cannot require it: resolve it on Guice's behalf.
  requires com.google.common;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;
  // sun.misc.Signal (SIGTERM/SIGINT in Hyperion.run); Guice (automatic) also defines its generated
  // classes through sun.misc.Unsafe when this module is resolved, else only for public classes.
  requires jdk.unsupported;

  exports hyperion;
  exports hyperion.admin;
  exports hyperion.cache;
  exports hyperion.config;
  exports hyperion.lifecycle;
  exports hyperion.internal to
      hyperion.otel,
      hyperion.caffeine,
      hyperion.redis,
      hyperion.prometheus,
      hyperion.micrometer,
      hyperion.http;

  // Guice generates classes into these packages to construct their package-private classes; it
  // falls back to reflection (which needs them open) when it cannot.
  opens hyperion to com.google.guice;
  opens hyperion.admin to com.google.guice;
  opens hyperion.config to com.google.guice;
  opens hyperion.lifecycle to com.google.guice;
}
