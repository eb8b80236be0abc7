package hyperion.examples.docs;

import com.google.inject.AbstractModule;
import com.google.inject.Injector;
import com.zaxxer.hikari.HikariConfig;
import hyperion.Hyperion;
import hyperion.micrometer.MicrometerModule;
import hyperion.prometheus.PrometheusModule;
import hyperion.redis.RedisModule;
import io.micrometer.core.instrument.MeterRegistry;

/** The Java blocks of docs/metrics.md's Micrometer bridge section, compiled; run by {@code MicrometerSnippetsTest}. */
final class MicrometerSnippets {
  private MicrometerSnippets() {}

  /** Stands for the service's own bindings. */
  static final class AppModule extends AbstractModule {}

  /** The service's entry point as the section shows it (runs until SIGTERM). */
  static void main(String[] args) {
    // docs/metrics.md:start
    Hyperion.run(args, new PrometheusModule(), new RedisModule(), new MicrometerModule(), new AppModule());
    // docs/metrics.md:end
  }

  static HikariConfig pool(Injector injector) {
    // docs/metrics.md:start
    // HikariCP: pass the bound registry to the pool
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/test");
    hikari.setMetricRegistry(injector.getInstance(MeterRegistry.class));
    // docs/metrics.md:end
    return hikari;
  }
}
