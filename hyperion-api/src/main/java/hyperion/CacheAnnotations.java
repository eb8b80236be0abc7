package hyperion;

import com.google.inject.Binding;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.TypeLiteral;
import com.google.inject.matcher.AbstractMatcher;
import com.google.inject.spi.InstanceBinding;
import com.google.inject.spi.ProviderInstanceBinding;
import com.google.inject.spi.ProviderKeyBinding;
import com.google.inject.spi.TypeEncounter;
import com.google.inject.spi.TypeListener;
import hyperion.config.CacheConfig;
import hyperion.config.Config;
import hyperion.config.ConfigException;
import jakarta.inject.Provider;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts {@link Cached}, {@link CachePut} and {@link CacheInvalidate} to work, installed by {@link
 * HyperionModule}. When Guice meets a class it will construct (at injector creation for bound
 * classes), this listener checks each annotated method ({@link CachedMethod#of}) and either binds a
 * {@link CacheInterceptor} to that method or reports the mistake as a Guice error naming the
 * method, so a bad annotation fails injector creation instead of a call.
 */
final class CacheAnnotations implements TypeListener {
  private final Config config;
  private final Provider<CacheManager> manager;

  CacheAnnotations(Config config, Provider<CacheManager> manager) {
    this.config = config;
    this.manager = manager;
  }

  @Override
  public <I> void hear(TypeLiteral<I> type, TypeEncounter<I> encounter) {
    Class<?> bound = type.getRawType();
    CacheConfig caches;
    try {
      caches = config.cache();
    } catch (ConfigException e) {
      return; // ConfigSections reports it, together with every other configuration problem
    }
    for (Class<?> c = bound; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Method m : c.getDeclaredMethods()) {
        if (m.isSynthetic() || m.isBridge() || !CachedMethod.annotated(m)) {
          continue;
        }
        if (Modifier.isFinal(bound.getModifiers())) {
          encounter.addError("@%s on %s: Guice cannot intercept the methods of %s, a final class; make it non-final",
              CachedMethod.ANNOTATIONS.stream().filter(m::isAnnotationPresent).findFirst().orElseThrow()
                  .getSimpleName(), CachedMethod.describe(m), bound.getName());
          continue;
        }
        CachedMethod plan;
        try {
          plan = CachedMethod.of(m, caches);
        } catch (IllegalArgumentException e) {
          encounter.addError("%s", e.getMessage());
          continue;
        }
        encounter.bindInterceptor(new AbstractMatcher<Method>() {
          @Override
          public boolean matches(Method candidate) {
            return candidate.equals(m);
          }
        }, new CacheInterceptor(plan, manager));
      }
    }
  }

  /**
   * Requested for injection by {@link HyperionModule}, so it runs at injector creation once every
   * binding exists: an annotated method on an object Guice does not construct (bound with {@code
   * toInstance}, returned by a {@code @Provides} method or a provider) would never be intercepted.
   */
  static final class BindingsCheck {
    @Inject
    void check(Injector injector) {
      List<String> problems = new ArrayList<>();
      for (Binding<?> b : injector.getAllBindings().values()) {
        Class<?> type;
        String how;
        if (b instanceof InstanceBinding<?> ib) {
          type = ib.getInstance().getClass();
          how = "bound with toInstance(...)";
        } else if (b instanceof ProviderInstanceBinding<?> || b instanceof ProviderKeyBinding<?>) {
          type = b.getKey().getTypeLiteral().getRawType();
          how = "returned by a @Provides method or a provider";
        } else {
          continue;
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
          for (Method m : c.getDeclaredMethods()) {
            if (CachedMethod.annotated(m)) {
              problems.add(CachedMethod.describe(m) + " is annotated for caching, but its object is " + how
                  + ", which Guice does not intercept; bind the class itself (bind(" + type.getSimpleName()
                  + ".class)) so Guice constructs it");
            }
          }
        }
      }
      if (!problems.isEmpty()) {
        throw new IllegalStateException(String.join("; ", problems));
      }
    }
  }
}
