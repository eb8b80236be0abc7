package hyperion.redis;

import com.google.inject.AbstractModule;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import com.google.inject.Inject;
import com.google.inject.Provider;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Component;
import hyperion.HealthCheck;
import hyperion.cache.InvalidationBus;
import hyperion.cache.RemoteLayer;
import hyperion.config.Config;
import hyperion.config.ConfigSection;
import hyperion.config.ConfigSections;
import jakarta.inject.Singleton;

/**
 * Installs Redis as the shared (L2) cache and the invalidation bus, over Lettuce:
 *
 * <ul>
 *   <li>a {@link RemoteLayer.Factory}: each named cache's shared layer in Redis, behind {@code
 *       Context.cache(name)} alone or under an L1 adapter's layer;
 *   <li>{@link InvalidationBus}: Redis pub/sub with a replay stream ({@code redis.coherence: pubsub},
 *       the default) or server-assisted tracking ({@code tracking}), so other instances drop their L1
 *       copies; either one's watchdog stops trusting L1 after {@code coherence_timeout} without an
 *       answer from Redis;
 *   <li>a {@link Component} that opens the connections at start ({@link Component#PHASE_CLIENTS})
 *       and closes them at stop;
 *   <li>a {@link HealthCheck} named {@code redis} (PING within the command timeout; its message also
 *       tells whether the invalidation bus is up);
 *   <li>an optional {@link CommandLatencyRecorder} for Lettuce's command latencies, unbound by
 *       default ({@code hyperion.micrometer.MicrometerModule} binds one that reports through the
 *       {@code Metrics} port);
 *   <li>a {@link Codec}, by default Jackson JSON with polymorphic typing off; bind your own with
 *       {@code OptionalBinder.newOptionalBinder(binder(), Codec.class).setBinding()}.
 * </ul>
 *
 * <p>Settings come from the {@code redis} section ({@link RedisConfig#SECTION}, declared by this
 * module); a bad value fails when the injector is built, reported with every other problem of the
 * configuration. Connections open when the lifecycle starts ({@code Hyperion.start} or {@code
 * Hyperion.run}): with a bare {@code Guice.createInjector} nothing connects, and every cache call
 * that needs Redis fails its L2 step with an {@link IllegalStateException} that says so, logged at
 * ERROR (the cache itself degrades to L1 and the loader, as for any Redis failure). Install it next to {@link hyperion.HyperionModule}; installing it twice
 * is harmless (modules are equal by class).
 */
public final class RedisModule extends AbstractModule {

  /** Creates the module; settings are read from the injected {@link Config}. */
  public RedisModule() {}

  @Override
  protected void configure() {
    ConfigSection.declare(binder(), RedisConfig.SECTION);
    OptionalBinder.newOptionalBinder(binder(), Codec.class).setDefault().to(JacksonCodec.class).in(Singleton.class);
    // Lettuce's command latencies: recorded only when something binds a recorder (the Micrometer bridge does).
    OptionalBinder.newOptionalBinder(binder(), CommandLatencyRecorder.class);
    // Eager: binds and validates the redis section while the injector is built.
    bind(RedisClients.class).asEagerSingleton();
    bind(RedisErrors.class).in(Singleton.class);
    bind(RedisLayers.class).in(Singleton.class);
    bind(RedisInvalidationBus.class).in(Singleton.class);
    bind(RedisTrackingBus.class).in(Singleton.class);
    bind(RedisHealthCheck.class).in(Singleton.class);
    OptionalBinder.newOptionalBinder(binder(), RemoteLayer.Factory.class).setBinding().to(RedisLayers.class);
    // Eager: the bus of redis.coherence (only that one is created) subscribes or attaches before start.
    OptionalBinder.newOptionalBinder(binder(), InvalidationBus.class).setBinding().toProvider(CoherenceBus.class)
        .asEagerSingleton();
    Multibinder.newSetBinder(binder(), Component.class).addBinding().to(RedisClients.class);
    Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(RedisHealthCheck.class);
  }

  /** The {@link InvalidationBus} that {@code redis.coherence} names. */
  static final class CoherenceBus implements Provider<InvalidationBus> {
    private final RedisConfig config;
    private final Provider<RedisInvalidationBus> pubsub;
    private final Provider<RedisTrackingBus> tracking;

    @Inject
    CoherenceBus(RedisConfig config, Provider<RedisInvalidationBus> pubsub, Provider<RedisTrackingBus> tracking) {
      this.config = config;
      this.pubsub = pubsub;
      this.tracking = tracking;
    }

    @Override
    public InvalidationBus get() {
      if (config.coherence() == RedisConfig.Coherence.TRACKING) {
        RedisTrackingBus bus = tracking.get();
        bus.attachToClients();
        return bus;
      }
      RedisInvalidationBus bus = pubsub.get();
      bus.attachToClients();
      return bus;
    }
  }

  @Provides
  @Singleton
  RedisConfig redisConfig(ConfigSections sections) {
    return sections.get(RedisConfig.SECTION);
  }

  /** Equal to every other {@code RedisModule}: the settings live in {@link Config}. */
  @Override
  public boolean equals(Object o) {
    return o instanceof RedisModule;
  }

  @Override
  public int hashCode() {
    return RedisModule.class.hashCode();
  }
}
