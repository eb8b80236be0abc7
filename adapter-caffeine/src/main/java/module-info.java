/**
 * {@code CaffeineModule}: the in-process cache layer (L1) over Caffeine. Only {@code
 * hyperion.caffeine} is exported; Guice, which constructs its package-private classes, gets it
 * opened.
 */
module hyperion.caffeine {
  requires transitive hyperion.api;
  requires com.github.benmanes.caffeine;

  exports hyperion.caffeine;

  opens hyperion.caffeine to com.google.guice;
}
