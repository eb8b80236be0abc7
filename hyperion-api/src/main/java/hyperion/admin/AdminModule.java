package hyperion.admin;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import hyperion.Component;
import hyperion.config.ConfigSection;
import hyperion.config.ConfigSections;

/**
 * Contributes the admin HTTP server as a {@link Component}: the health probes {@code
 * /health/live}, {@code /health/ready}, {@code /health/started} (and the aliases {@code /health}
 * and {@code /ready}), {@code /cache/hotkeys} (the caches' most requested keys), plus every bound
 * {@link AdminEndpoint}. Works with the core alone:
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
    ConfigSection.declare(binder(), AdminConfig.SECTION);
    Multibinder.newSetBinder(binder(), AdminEndpoint.class).addBinding().toProvider(HotKeysEndpoint.class);
    Multibinder.newSetBinder(binder(), Component.class).addBinding().to(AdminServer.class);
  }

  /** The {@code admin} section, checked with every other section ({@link ConfigSections}). */
  @Provides
  @Singleton
  AdminConfig adminConfig(ConfigSections sections) {
    return sections.get(AdminConfig.SECTION);
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
