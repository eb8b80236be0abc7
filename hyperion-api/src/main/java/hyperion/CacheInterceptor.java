package hyperion;

import jakarta.inject.Provider;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

/**
 * The Guice AOP interceptor of one method annotated with {@link Cached}, {@link CachePut} or {@link
 * CacheInvalidate}, bound to that method alone by {@link CacheAnnotations} once the method checked
 * out, so a call looks nothing up but the cache (once).
 */
final class CacheInterceptor implements MethodInterceptor {
  private final CachedMethod m;
  private final Provider<CacheManager> manager;
  /** The method's cache, looked up on the first call (the manager hands out one instance per name). */
  private Cache cache;
  /** The same cache when it is the tier (always, unless the manager is replaced), for the allocation-free L1 hit. */
  private TieredCache tier;

  CacheInterceptor(CachedMethod m, Provider<CacheManager> manager) {
    this.m = m;
    this.manager = manager;
  }

  // ---------------------------------------------------------------- calls

  @Override
  public Object invoke(MethodInvocation invocation) throws Throwable {
    Cache cache = this.cache;
    if (cache == null) { // a benign race: every thread finds the same instance (its fields are final)
      cache = manager.get().cache(m.cacheName);
      tier = cache instanceof TieredCache t ? t : null;
      this.cache = cache;
    }
    return switch (m.op) {
      case READ -> m.shape == CachedMethod.Shape.STAGE ? readStage(m, cache, invocation)
          : read(m, cache, tier, invocation);
      case BULK_READ -> readBulk(m, cache, invocation);
      case PUT, INVALIDATE, INVALIDATE_ALL -> write(m, cache, invocation);
    };
  }

  /**
   * {@link Cached} on a method returning a value or an {@code Optional}: one {@code getOrLoad}, its
   * L1 hit step taken first so that a hit allocates no loader.
   */
  private static Object read(CachedMethod m, Cache cache, TieredCache tier, MethodInvocation invocation)
      throws Throwable {
    String key = m.key.render(invocation.getArguments());
    if (key == null || key.isEmpty()) {
      return invocation.proceed();
    }
    boolean optional = m.shape == CachedMethod.Shape.OPTIONAL;
    Object hit = tier == null ? null : tier.l1Hit(key, m.valueClass);
    if (hit != null) {
      return optional ? Optional.of(hit) : hit;
    }
    Cache.Loader<Object> loader = k -> {
      Object r = proceed(invocation);
      return optional && r != null ? ((Optional<?>) r).orElse(null) : r;
    };
    Object value;
    try {
      value = m.valueType == null ? cache.getOrLoad(key, m.valueClass, m.ttl, loader)
          : cache.getOrLoad(key, m.valueType, m.ttl, loader);
    } catch (CacheLoadException e) {
      throw m.unwrap(e);
    }
    return optional ? Optional.ofNullable(value) : value;
  }

  /**
   * {@link Cached} on a {@code CompletionStage} method: a cached value completes at once; else one
   * call per key runs (later callers join it) and its completed value is stored as a load.
   */
  private static Object readStage(CachedMethod m, Cache cache, MethodInvocation invocation) throws Throwable {
    String key = m.key.render(invocation.getArguments());
    if (key == null || key.isEmpty()) {
      return invocation.proceed();
    }
    Object cached = m.valueType == null ? cache.getIfPresent(key, m.valueClass) : cache.getIfPresent(key, m.valueType);
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    CompletableFuture<Object> mine = new CompletableFuture<>();
    CompletableFuture<Object> running = m.running.putIfAbsent(key, mine);
    if (running != null) {
      return running.copy();
    }
    CompletionStage<?> stage;
    try {
      stage = (CompletionStage<?>) invocation.proceed();
      if (stage == null) {
        throw new NullPointerException(CachedMethod.describe(m.method) + " returned null instead of a CompletionStage");
      }
    } catch (Throwable e) {
      m.running.remove(key, mine);
      mine.completeExceptionally(e);
      throw e;
    }
    stage.whenComplete((value, error) -> {
      try {
        if (error == null && value != null) {
          // Stored as a load: kept only if no write or delete overtook it, and published to no one.
          if (m.valueType == null) {
            cache.getOrLoad(key, m.valueClass, m.ttl, k -> value);
          } else {
            cache.getOrLoad(key, m.valueType, m.ttl, k -> value);
          }
        }
      } finally {
        m.running.remove(key, mine);
        if (error != null) {
          mine.completeExceptionally(error);
        } else {
          mine.complete(value);
        }
      }
    });
    return mine.copy();
  }

  /** {@code @Cached(bulk = true)}: one {@code getAll}, the method with the missing keys only, one {@code putAll}. */
  private static Object readBulk(CachedMethod m, Cache cache, MethodInvocation invocation) throws Throwable {
    Object[] args = invocation.getArguments();
    Collection<?> asked = (Collection<?>) args[m.bulk];
    if (asked == null) {
      return invocation.proceed();
    }
    Map<String, Object> byKey = new LinkedHashMap<>(Math.max(16, asked.size() * 2));
    for (Object element : asked) {
      String key = element == null ? null : m.key.render(args, m.bulk, element);
      if (key == null || key.isEmpty()) {
        return invocation.proceed(); // an element without a key: the call bypasses the cache
      }
      byKey.putIfAbsent(key, element);
    }
    Map<String, ?> found = byKey.isEmpty() ? Map.of() : m.valueType == null
        ? cache.getAll(byKey.keySet(), m.valueClass) : cache.getAll(byKey.keySet(), m.valueType);
    List<Object> missing = new ArrayList<>();
    byKey.forEach((key, element) -> {
      if (!found.containsKey(key)) {
        missing.add(element);
      }
    });
    Map<?, ?> loaded = Map.of();
    if (!missing.isEmpty()) {
      args[m.bulk] = m.bulkSet ? new LinkedHashSet<>(missing) : missing; // the method sees the missing ones only
      loaded = (Map<?, ?>) invocation.proceed();
    }
    Map<?, ?> fromMethod = loaded == null ? Map.of() : loaded;
    Map<Object, Object> result = new LinkedHashMap<>(Math.max(16, byKey.size() * 2));
    Map<String, Object> store = new LinkedHashMap<>();
    byKey.forEach((key, element) -> {
      Object v = found.get(key);
      if (v == null) {
        v = loadedValue(m, fromMethod, element);
        if (v != null) {
          store.put(key, v);
        }
      }
      if (v != null) {
        result.put(element, v);
      }
    });
    if (!store.isEmpty()) {
      cache.putAll(store, m.ttl);
    }
    return result;
  }

  private static Object loadedValue(CachedMethod m, Map<?, ?> loaded, Object element) {
    Object v = loaded.get(element);
    if (v != null && !m.valueClass.isInstance(v)) {
      throw new ClassCastException(CachedMethod.describe(m.method) + " returned a " + v.getClass().getName()
          + " for " + element + ", not a " + m.valueClass.getName());
    }
    return v;
  }

  /** {@link CachePut} and {@link CacheInvalidate}: the method runs, then the cache is written. */
  private static Object write(CachedMethod m, Cache cache, MethodInvocation invocation) throws Throwable {
    String key = m.op == CachedMethod.Op.INVALIDATE_ALL ? "" : m.key.render(invocation.getArguments());
    Object result = invocation.proceed(); // a throw writes nothing
    if (key == null || (key.isEmpty() && m.op != CachedMethod.Op.INVALIDATE_ALL)) {
      return result;
    }
    if (m.shape == CachedMethod.Shape.STAGE) {
      return result == null ? null : ((CompletionStage<?>) result).thenApply(value -> {
        apply(m, cache, key, value);
        return value;
      });
    }
    apply(m, cache, key, m.shape == CachedMethod.Shape.OPTIONAL && result != null
        ? ((Optional<?>) result).orElse(null) : result);
    return result;
  }

  private static void apply(CachedMethod m, Cache cache, String key, Object value) {
    switch (m.op) {
      case PUT -> {
        if (value == null) {
          cache.delete(key); // "no value" must not leave the old one behind
        } else {
          cache.put(key, value, m.ttl);
        }
      }
      case INVALIDATE -> cache.delete(key);
      case INVALIDATE_ALL -> cache.clear();
      default -> throw new AssertionError(m.op);
    }
  }

  /** Runs the method for a loader, which may throw {@link Exception}s only. */
  private static Object proceed(MethodInvocation invocation) throws Exception {
    try {
      return invocation.proceed();
    } catch (Exception | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new UndeclaredThrowableException(t);
    }
  }
}
