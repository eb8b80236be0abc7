package hyperion.caffeine;

import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.Weigher;
import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.CacheManager;
import hyperion.L1;
import jakarta.inject.Singleton;

/**
 * Binds the in-process (L1) {@code @L1 CacheManager}: one Caffeine cache per name, configured from
 * {@code cache.<name>} ({@code max_entries} or {@code max_weight}, {@code default_ttl}, {@code
 * expire_after_access}, {@code record_stats}), with a per-entry time-to-live on {@code put}. With an
 * L2 adapter installed too, {@code HyperionModule} puts a {@code TieredCache} in front of both.
 *
 * <p>Two optional bindings can be overridden with {@code OptionalBinder.newOptionalBinder(binder(),
 * ...).setBinding()}:
 *
 * <ul>
 *   <li>{@code com.github.benmanes.caffeine.cache.Ticker}: the clock entries expire by (default the
 *       system ticker; tests bind a fake one);
 *   <li>{@code Weigher<String, Object>}: the weight of an entry for caches with {@code max_weight}
 *       (default: a rough estimate of the value's size in bytes).
 * </ul>
 *
 * <pre>{@code
 * Guice.createInjector(new HyperionModule(config), new CaffeineModule());
 * }</pre>
 */
public final class CaffeineModule extends AbstractModule {

  /** The weigher binding's type, {@code Weigher<String, Object>}. */
  static final TypeLiteral<Weigher<String, Object>> WEIGHER = new TypeLiteral<>() {};

  /** Creates the module; it has no settings of its own (they come from the {@code cache} section). */
  public CaffeineModule() {}

  @Override
  protected void configure() {
    OptionalBinder.newOptionalBinder(binder(), Ticker.class).setDefault().toInstance(Ticker.systemTicker());
    OptionalBinder.newOptionalBinder(binder(), WEIGHER).setDefault().toInstance(EstimatingWeigher.INSTANCE);
    OptionalBinder.newOptionalBinder(binder(), Key.get(CacheManager.class, L1.class)).setBinding()
        .to(CaffeineCacheManager.class).in(Singleton.class);
  }

  /** Modules are equal by class, so installing this module twice is harmless. */
  @Override
  public boolean equals(Object o) {
    return o instanceof CaffeineModule;
  }

  /** Consistent with {@link #equals}. */
  @Override
  public int hashCode() {
    return CaffeineModule.class.hashCode();
  }
}
