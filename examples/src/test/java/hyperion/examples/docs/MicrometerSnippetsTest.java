package hyperion.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Hyperion;
import hyperion.config.Config;
import hyperion.micrometer.MicrometerModule;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

/** docs/metrics.md's HikariCP snippet hands the pool the registry the bridge binds. */
class MicrometerSnippetsTest {

  @Test
  void thePoolGetsTheBridgesRegistry() {
    try (Hyperion app = Hyperion.start(Config.fromYaml("service: {name: snippets}\n"), new MicrometerModule(),
        new MicrometerSnippets.AppModule())) {
      assertThat(MicrometerSnippets.pool(app.injector()).getMetricRegistry())
          .isSameAs(app.injector().getInstance(MeterRegistry.class));
    }
  }
}
