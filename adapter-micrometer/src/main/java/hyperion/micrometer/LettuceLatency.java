package hyperion.micrometer;

import com.google.inject.Binder;
import com.google.inject.multibindings.OptionalBinder;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Provider;

/**
 * Lettuce's Micrometer recorder as the {@link CommandLatencyRecorder} the Redis adapter uses.
 * Loaded only when Lettuce is on the class path (this module depends on it optionally).
 */
final class LettuceLatency implements Provider<CommandLatencyRecorder> {
  private final MeterRegistry registry;

  @Inject
  LettuceLatency(MeterRegistry registry) {
    this.registry = registry;
  }

  static void bind(Binder binder) {
    OptionalBinder.newOptionalBinder(binder, CommandLatencyRecorder.class).setBinding()
        .toProvider(LettuceLatency.class).in(jakarta.inject.Singleton.class);
  }

  @Override
  public CommandLatencyRecorder get() {
    // Per command type and server; local (per connection) distinction would multiply the series.
    return new MicrometerCommandLatencyRecorder(registry, MicrometerOptions.builder().localDistinction(false).build());
  }
}
