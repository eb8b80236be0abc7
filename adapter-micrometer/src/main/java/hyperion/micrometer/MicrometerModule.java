package hyperion.micrometer;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import hyperion.Component;
import hyperion.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Binds Micrometer's {@link MeterRegistry} to a {@link HyperionMeterRegistry} over the bound
 * {@link Metrics} port (Prometheus with {@code PrometheusModule}), so that what a library reports
 * through Micrometer appears in {@code /metrics}:
 *
 * <pre>{@code
 * Hyperion.run(args, new PrometheusModule(), new RedisModule(), new MicrometerModule(), new AppModule());
 *
 * // in AppModule: HikariCP's pool metrics
 * @Provides @Singleton DataSource dataSource(MeterRegistry registry) {
 *   HikariConfig hikari = new HikariConfig();
 *   hikari.setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/test");
 *   hikari.setMetricRegistry(registry);
 *   return new HikariDataSource(hikari);
 * }
 * }</pre>
 *
 * <p>With Lettuce on the class path it also binds a Micrometer command latency recorder, which
 * {@code RedisModule} uses: {@code lettuce_command_completion_seconds} and {@code
 * lettuce_command_firstresponse_seconds} per {@code command}. A {@link Component} reads the
 * registry's gauges and function meters every {@link #REFRESH_INTERVAL} and closes it at stop.
 * Modules are equal by class, so installing it twice is harmless.
 */
public final class MicrometerModule extends AbstractModule {

  /** How often gauges, function counters, function timers and long task timers are read into the port. */
  public static final Duration REFRESH_INTERVAL = Duration.ofSeconds(1);

  /** Creates the module. */
  public MicrometerModule() {}

  @Override
  protected void configure() {
    bind(HyperionMeterRegistry.class).toProvider(RegistryProvider.class).in(Singleton.class);
    bind(MeterRegistry.class).to(HyperionMeterRegistry.class);
    Multibinder.newSetBinder(binder(), Component.class).addBinding().to(Refresher.class);
    if (lettucePresent()) {
      LettuceLatency.bind(binder());
    }
  }

  private static boolean lettucePresent() {
    try {
      Class.forName("io.lettuce.core.metrics.MicrometerCommandLatencyRecorder", false,
          MicrometerModule.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** The registry over the bound port. */
  static final class RegistryProvider implements Provider<HyperionMeterRegistry> {
    private final Metrics metrics;

    @Inject
    RegistryProvider(Metrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public HyperionMeterRegistry get() {
      return new HyperionMeterRegistry(metrics);
    }
  }

  /** Reads the polled meters every {@link #REFRESH_INTERVAL}; closes the registry at stop. */
  @Singleton
  static final class Refresher implements Component {
    private final HyperionMeterRegistry registry;
    private ScheduledExecutorService timer;

    @Inject
    Refresher(HyperionMeterRegistry registry) {
      this.registry = registry;
    }

    @Override
    public String name() {
      return "micrometer-bridge";
    }

    @Override
    public int phase() {
      return PHASE_TELEMETRY;
    }

    @Override
    public synchronized void start() {
      timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hyperion-micrometer-refresh");
        t.setDaemon(true);
        return t;
      });
      long every = REFRESH_INTERVAL.toMillis();
      timer.scheduleWithFixedDelay(registry::refresh, 0, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
      if (timer != null) {
        timer.shutdownNow();
        timer = null;
      }
      registry.refresh(); // the last values, for a final scrape
      registry.close();
    }
  }

  /** All instances are equal: the module has no state. */
  @Override
  public boolean equals(Object o) {
    return o instanceof MicrometerModule;
  }

  /** Consistent with {@link #equals(Object)}. */
  @Override
  public int hashCode() {
    return MicrometerModule.class.hashCode();
  }
}
