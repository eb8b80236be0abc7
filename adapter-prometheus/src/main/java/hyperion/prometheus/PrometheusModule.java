package hyperion.prometheus;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Metrics;
import hyperion.admin.AdminEndpoint;
import hyperion.admin.AdminModule;
import hyperion.config.ConfigSection;
import hyperion.config.ConfigSections;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.inject.Singleton;

/**
 * Binds the {@link Metrics} port to the Prometheus Java client (client_java 1.x), installs the
 * admin HTTP server ({@link AdminModule}: the health probes) and adds the scrape endpoint ({@code
 * /metrics}) to it. Install it next to {@code HyperionModule}:
 *
 * <pre>{@code
 * Hyperion app = Hyperion.start(config, new PrometheusModule()); // the lifecycle starts the admin server
 * }</pre>
 *
 * <p>Settings come from the {@code metrics} section ({@link MetricsConfig#SECTION}, declared by this module); a bad value fails
 * injector creation with a message naming the key.
 *
 * <p>The {@link PrometheusRegistry} every instrument lives in is bound too, so an application can
 * register its own client_java collectors with it. It defaults to a registry of its own (not {@link
 * PrometheusRegistry#defaultRegistry}), so several injectors in one JVM stay apart; to use the
 * default registry instead, bind {@code OptionalBinder.newOptionalBinder(binder(),
 * PrometheusRegistry.class).setBinding().toInstance(PrometheusRegistry.defaultRegistry)}.
 *
 * <p>Modules are equal by class, so installing this module twice is harmless.
 */
public final class PrometheusModule extends AbstractModule {

  /** Creates the module; all settings come from the {@code metrics} configuration section. */
  public PrometheusModule() {}

  @Override
  protected void configure() {
    ConfigSection.declare(binder(), MetricsConfig.SECTION);
    // Eager in every stage: a bad metrics section must fail injector creation, not the first use.
    bind(MetricsConfig.class).toProvider(MetricsConfigProvider.class).asEagerSingleton();
    OptionalBinder.newOptionalBinder(binder(), PrometheusRegistry.class).setDefault()
        .toProvider(PrometheusRegistry::new).in(Singleton.class);
    OptionalBinder.newOptionalBinder(binder(), Metrics.class).setBinding().to(PrometheusMetrics.class);
    install(new AdminModule());
    Multibinder.newSetBinder(binder(), AdminEndpoint.class).addBinding().toProvider(ScrapeEndpoint.class);
  }

  /** Reads the {@code metrics} section, checked with every other section. */
  static final class MetricsConfigProvider implements jakarta.inject.Provider<MetricsConfig> {
    private final ConfigSections sections;

    @jakarta.inject.Inject
    MetricsConfigProvider(ConfigSections sections) {
      this.sections = sections;
    }

    @Override
    public MetricsConfig get() {
      return sections.get(MetricsConfig.SECTION);
    }
  }

  /** All instances are equal: the module has no state. */
  @Override
  public boolean equals(Object o) {
    return o instanceof PrometheusModule;
  }

  /** Consistent with {@link #equals(Object)}. */
  @Override
  public int hashCode() {
    return PrometheusModule.class.hashCode();
  }
}
