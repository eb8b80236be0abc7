package hyperion.examples.config;

import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.otel.OtelModule;
import hyperion.prometheus.PrometheusModule;
import hyperion.redis.RedisModule;

/** A service main with every cache, tracing and metrics adapter, for {@link StartupConfigurationTest}'s child JVMs. */
public final class ConfigChildMain {
  private ConfigChildMain() {}

  /** Runs until stopped; start-up problems exit 2. */
  public static void main(String[] args) {
    Hyperion.run(args, new OtelModule(), new CaffeineModule(), new RedisModule(), new PrometheusModule());
  }
}
