/**
 * The Micrometer bridge: {@link hyperion.micrometer.MicrometerModule} binds a Micrometer {@code
 * MeterRegistry} ({@link hyperion.micrometer.HyperionMeterRegistry}) that records into the {@code
 * Metrics} port.
 */
package hyperion.micrometer;
