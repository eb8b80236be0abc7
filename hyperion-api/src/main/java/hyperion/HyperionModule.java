package hyperion;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.TypeLiteral;
import com.google.inject.matcher.AbstractMatcher;
import com.google.inject.matcher.Matchers;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.cache.InvalidationBus;
import hyperion.cache.LocalLayer;
import hyperion.cache.RemoteLayer;
import hyperion.config.Config;
import hyperion.config.ConfigSection;
import hyperion.config.ConfigCheck;
import hyperion.config.ConfigSections;
import hyperion.lifecycle.Health;
import hyperion.lifecycle.Lifecycle;
import jakarta.inject.Singleton;
import java.lang.reflect.Method;
import java.util.Objects;
import java.util.Optional;

/**
 * The core module: binds {@link Config} and checks it ({@link ConfigSections}: every section,
 * the core's and those other modules declared with {@link ConfigSection#declare}, all problems
 * reported together when the injector is built), {@link Context}, the {@link hyperion.lifecycle.Lifecycle},
 * {@link hyperion.lifecycle.Health}, the {@link Traced}/{@link Timed} interceptors, the {@link
 * Cached}/{@link CachePut}/{@link CacheInvalidate} interceptor, and a no-op
 * default for every port through {@link OptionalBinder#setDefault()}.
 *
 * <p>An adapter module overrides a port with {@code OptionalBinder.newOptionalBinder(binder(),
 * Tracer.class).setBinding()...}, so any subset of adapters can be installed, in any order. Cache
 * adapters bind a layer of the {@link hyperion.cache} SPI ({@link LocalLayer.Factory}, {@link
 * RemoteLayer.Factory}, {@link InvalidationBus}); this module binds the one {@link CacheManager},
 * which puts whatever layers are bound behind the {@link Cache} port. Modules compare equal by
 * configuration, so installing this module twice is harmless.
 */
public final class HyperionModule extends AbstractModule {

  private final Config config;

  /** The module with the built-in defaults ({@link Config#defaults()}). */
  public HyperionModule() {
    this(Config.defaults());
  }

  /** The module with {@code config}. */
  public HyperionModule(Config config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  @Override
  protected void configure() {
    bind(Config.class).toInstance(config);
    Multibinder.newSetBinder(binder(), new TypeLiteral<ConfigSection<?>>() {});
    // Eager in every stage: all configuration problems are reported when the injector is built.
    bind(ConfigSections.class).asEagerSingleton();
    Multibinder.newSetBinder(binder(), ConfigCheck.class).addBinding().to(DistributedLoadCheck.class);
    OptionalBinder.newOptionalBinder(binder(), Tracer.class).setDefault().toInstance(NoopTracer.INSTANCE);
    OptionalBinder.newOptionalBinder(binder(), Metrics.class).setDefault().to(NoopMetrics.class).in(Singleton.class);
    OptionalBinder.newOptionalBinder(binder(), LocalLayer.Factory.class);
    OptionalBinder.newOptionalBinder(binder(), RemoteLayer.Factory.class);
    OptionalBinder.newOptionalBinder(binder(), InvalidationBus.class);
    Multibinder.newSetBinder(binder(), Component.class);
    Multibinder.newSetBinder(binder(), HealthCheck.class);
    bind(Context.class).to(DefaultContext.class);
    bind(Lifecycle.class);
    bind(Health.class);

    AbstractMatcher<Method> real = new AbstractMatcher<>() {
      @Override
      public boolean matches(Method m) {
        return !m.isSynthetic() && !m.isBridge() && m.getDeclaringClass() != Object.class;
      }
    };
    Interceptors.TracedInterceptor traced = new Interceptors.TracedInterceptor(getProvider(Tracer.class));
    bindInterceptor(Matchers.any(), real.and(Matchers.annotatedWith(Traced.class)), traced);
    bindInterceptor(Matchers.annotatedWith(Traced.class), real.and(Matchers.not(Matchers.annotatedWith(Traced.class))),
        traced);
    Interceptors.TimedInterceptor timed = new Interceptors.TimedInterceptor(getProvider(Metrics.class));
    bindInterceptor(Matchers.any(), real.and(Matchers.annotatedWith(Timed.class)), timed);
    bindInterceptor(Matchers.annotatedWith(Timed.class), real.and(Matchers.not(Matchers.annotatedWith(Timed.class))),
        timed);

    // Caching after @Traced/@Timed, so their span and histogram on the same method cover the cache lookup too.
    // Each annotated method is checked when Guice meets its class and gets an interceptor of its own.
    bindListener(Matchers.any(), new CacheAnnotations(config, getProvider(CacheManager.class)));
    requestInjection(new CacheAnnotations.BindingsCheck());
  }

  @Provides
  @Singleton
  CacheManager cacheManager(Optional<LocalLayer.Factory> l1, Optional<RemoteLayer.Factory> l2,
      Optional<InvalidationBus> bus, Metrics metrics, Tracer tracer) {
    return new TieredCacheManager(config.cache(), l1.orElse(null), l2.orElse(null), bus.orElse(null), metrics, tracer,
        System::nanoTime);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HyperionModule m && m.config.equals(config);
  }

  @Override
  public int hashCode() {
    return Objects.hash(HyperionModule.class, config);
  }
}
