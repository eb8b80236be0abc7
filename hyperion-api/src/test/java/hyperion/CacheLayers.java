package hyperion;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.cache.InvalidationBus;
import hyperion.cache.LocalLayer;
import hyperion.cache.RemoteLayer;
import hyperion.config.Config;

/** Builds a {@link Context} whose caches sit on the given layers (any may be {@code null}), through Guice as an adapter would. */
final class CacheLayers {
  private CacheLayers() {}

  static Context context(Config config, LocalLayer.Factory l1, RemoteLayer.Factory l2, InvalidationBus bus,
      Metrics metrics, Tracer tracer) {
    return Guice.createInjector(new HyperionModule(config), new AbstractModule() {
      @Override
      protected void configure() {
        if (l1 != null) {
          OptionalBinder.newOptionalBinder(binder(), LocalLayer.Factory.class).setBinding().toInstance(l1);
        }
        if (l2 != null) {
          OptionalBinder.newOptionalBinder(binder(), RemoteLayer.Factory.class).setBinding().toInstance(l2);
        }
        if (bus != null) {
          OptionalBinder.newOptionalBinder(binder(), InvalidationBus.class).setBinding().toInstance(bus);
        }
        if (metrics != null) {
          OptionalBinder.newOptionalBinder(binder(), Metrics.class).setBinding().toInstance(metrics);
        }
        if (tracer != null) {
          OptionalBinder.newOptionalBinder(binder(), Tracer.class).setBinding().toInstance(tracer);
        }
      }
    }).getInstance(Context.class);
  }

  static Context context(LocalLayer.Factory l1, RemoteLayer.Factory l2) {
    return context(Config.defaults(), l1, l2, null, null, null);
  }
}
