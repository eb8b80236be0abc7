/**
 * {@code MicrometerModule}: a Micrometer {@code MeterRegistry} over the {@link hyperion.Metrics}
 * port. Only {@code hyperion.micrometer} is exported; Guice, which constructs its package-private
 * classes, gets it opened.
 */
// Micrometer and Lettuce publish automatic modules with stable Automatic-Module-Names.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module hyperion.micrometer {
  requires transitive hyperion.api;
  requires transitive micrometer.core; // HyperionMeterRegistry is a MeterRegistry
  // Lettuce's command latencies: wired only when Lettuce is present (MicrometerModule.lettucePresent).
  requires static lettuce.core;

  exports hyperion.micrometer;

  opens hyperion.micrometer to com.google.guice;
}
