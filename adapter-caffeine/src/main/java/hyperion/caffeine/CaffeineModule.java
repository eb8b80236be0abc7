package hyperion.caffeine;

import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.Weigher;
import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.cache.LocalLayer;
import jakarta.inject.Singleton;

/**
 * Installs Caffeine as the in-process (L1) cache layer: one Caffeine cache per name, configured from
 * {@code cache.<name>} ({@code max_entries} or {@code max_weight}, {@code expire_after_access}),
 * each entry with its own time-to-live. {@code Context.cache(name)} then serves hits from it,
 * alone or in front of an L2 adapter's layer.
 *
 * <p>Two optional bindings can be overridden with {@code OptionalBinder.newOptionalBinder(binder(),
 * ...).setBinding()}:
 *
 * <ul>
 *   <li>{@code com.github.benmanes.caffeine.cache.Ticker}: the clock entries expire by (default a
 *       coarse ticker: {@code System.nanoTime()} read about every millisecond by one daemon thread,
 *       so a hit does not read the system clock; tests bind a fake one);
 *   <li>{@code Weigher<String, Object>}: the weight of an entry for caches with {@code max_weight}
 *       (default: a rough estimate of the value's size in bytes).
 * </ul>
 *
 * <pre>{@code
 * Hyperion app = Hyperion.start(config, new CaffeineModule());
 * }</pre>
 */
public final class CaffeineModule extends AbstractModule {

  /** The weigher binding's type, {@code Weigher<String, Object>}. */
  static final TypeLiteral<Weigher<String, Object>> WEIGHER = new TypeLiteral<>() {};

  /** Creates the module; it has no settings of its own (they come from the {@code cache} section). */
  public CaffeineModule() {}

  @Override
  protected void configure() {
    OptionalBinder.newOptionalBinder(binder(), Ticker.class).setDefault().toInstance(CoarseTicker.INSTANCE);
    OptionalBinder.newOptionalBinder(binder(), WEIGHER).setDefault().toInstance(EstimatingWeigher.INSTANCE);
    OptionalBinder.newOptionalBinder(binder(), LocalLayer.Factory.class).setBinding().to(CaffeineLayers.class)
        .in(Singleton.class);
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
