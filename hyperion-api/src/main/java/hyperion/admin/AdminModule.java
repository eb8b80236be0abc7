package hyperion.admin;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import hyperion.Component;
import hyperion.config.Config;
import jakarta.inject.Inject;
import jakarta.inject.Provider;

/**
 * Contributes the admin HTTP server as a {@link Component}: the health probes {@code
 * /health/live}, {@code /health/ready}, {@code /health/started} (and the aliases {@code /health}
 * and {@code /ready}), plus every bound {@link AdminEndpoint}. Works with the core alone:
 *
 * <pre>{@code
 * Hyperion.run(args, new AdminModule(), new RedisModule(), new MyServiceModule());
 * }</pre>
 *
 * <p>The Prometheus adapter installs it and adds {@code /metrics}. Settings come from the {@code
 * admin} section ({@link AdminConfig}); a bad value fails injector creation with a message naming
 * the key. Modules are equal by class, so installing it twice (directly and through an adapter) is
 * harmless.
 */
public final class AdminModule extends AbstractModule {

  /** Creates the module; settings come from the {@code admin} configuration section. */
  public AdminModule() {}

  @Override
  protected void configure() {
    // Eager in every stage: a bad admin section must fail injector creation, not the first use.
    bind(AdminConfig.class).toProvider(AdminConfigProvider.class).asEagerSingleton();
    Multibinder.newSetBinder(binder(), AdminEndpoint.class);
    Multibinder.newSetBinder(binder(), Component.class).addBinding().to(AdminServer.class);
  }

  /** Reads the {@code admin} section of the bound {@link Config}. */
  static final class AdminConfigProvider implements Provider<AdminConfig> {
    private final Config config;

    @Inject
    AdminConfigProvider(Config config) {
      this.config = config;
    }

    @Override
    public AdminConfig get() {
      return config.section("admin", AdminConfig.class, AdminConfig.DEFAULTS);
    }
  }

  /** All instances are equal: the module has no state. */
  @Override
  public boolean equals(Object o) {
    return o instanceof AdminModule;
  }

  /** Consistent with {@link #equals(Object)}. */
  @Override
  public int hashCode() {
    return AdminModule.class.hashCode();
  }
}
