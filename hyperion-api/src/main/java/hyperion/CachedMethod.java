package hyperion;

import hyperion.config.CacheConfig;
import hyperion.config.Config;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * What one method annotated with {@link Cached}, {@link CachePut} or {@link CacheInvalidate} does,
 * checked and resolved once at injector creation: the operation, the cache, the key template, the
 * TTL and how the return type carries the value.
 */
final class CachedMethod {

  /** The annotation's operation. */
  enum Op { READ, BULK_READ, PUT, INVALIDATE, INVALIDATE_ALL }

  /** How the return type carries the cached value. */
  enum Shape { VALUE, OPTIONAL, STAGE }

  static final List<Class<? extends Annotation>> ANNOTATIONS = List.of(Cached.class, CachePut.class,
      CacheInvalidate.class);

  final Method method;
  final Op op;
  final Shape shape;
  final String cacheName;
  final KeyTemplate key;
  /** {@code null}: the cache's default TTL. */
  final Duration ttl;
  /** The cached value's type; {@link #valueClass} is set instead when it has no type arguments. */
  final TypeRef<Object> valueType;
  final Class<Object> valueClass;
  /** The collection parameter of a bulk read, else -1; {@link #bulkSet}: whether it is a {@code Set}. */
  final int bulk;
  final boolean bulkSet;
  /** The checked exceptions the method declares: a loader's failure of these types is rethrown as is. */
  private final Class<?>[] declared;
  /** Calls of a {@code CompletionStage} method under way, by key: later callers join them. */
  final Map<String, CompletableFuture<Object>> running = new java.util.concurrent.ConcurrentHashMap<>();

  @SuppressWarnings("unchecked")
  private CachedMethod(Method method, Op op, Shape shape, String cacheName, KeyTemplate key, Duration ttl,
      TypeRef<Object> valueType, int bulk, boolean bulkSet) {
    this.method = method;
    this.op = op;
    this.shape = shape;
    this.cacheName = cacheName;
    this.key = key;
    this.ttl = ttl;
    this.valueType = valueType == null || valueType.type() instanceof Class<?> ? null : valueType;
    this.valueClass = valueType == null ? null : (Class<Object>) valueType.rawType();
    this.bulk = bulk;
    this.bulkSet = bulkSet;
    this.declared = Arrays.stream(method.getExceptionTypes()).filter(t -> !RuntimeException.class.isAssignableFrom(t)
        && !Error.class.isAssignableFrom(t)).toArray(Class<?>[]::new);
  }

  /** Whether {@code m} carries any of the caching annotations. */
  static boolean annotated(Method m) {
    for (Class<? extends Annotation> a : ANNOTATIONS) {
      if (m.isAnnotationPresent(a)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The plan of annotated method {@code m} of a class Guice constructs, or {@link
   * IllegalArgumentException} with a message that names the annotation and the method and says
   * what is wrong.
   */
  static CachedMethod of(Method m, CacheConfig caches) {
    List<Annotation> found = ANNOTATIONS.stream().<Annotation>map(m::getAnnotation).filter(a -> a != null)
        .collect(Collectors.toList());
    String where = "@" + (found.isEmpty() ? "Cached" : found.get(0).annotationType().getSimpleName()) + " on "
        + describe(m) + ": ";
    try {
      if (found.size() > 1) {
        throw new IllegalArgumentException("use one of @Cached, @CachePut and @CacheInvalidate per method");
      }
      interceptable(m);
      Annotation a = found.get(0);
      if (a instanceof Cached c) {
        return c.bulk() ? bulk(m, c, caches) : valued(m, Op.READ, c.cache(), c.key(), c.ttl(), caches);
      }
      if (a instanceof CachePut p) {
        return valued(m, Op.PUT, p.cache(), p.key(), p.ttl(), caches);
      }
      CacheInvalidate i = (CacheInvalidate) a;
      String name = cacheName(i.cache(), caches);
      Shape shape = stageOrValue(m);
      if (i.all()) {
        if (!i.key().isEmpty()) {
          throw new IllegalArgumentException("all = true deletes every entry: leave key empty");
        }
        return new CachedMethod(m, Op.INVALIDATE_ALL, shape, name, null, null, null, -1, false);
      }
      return new CachedMethod(m, Op.INVALIDATE, shape, name, KeyTemplate.parse(i.key(), m, -1, null), null, null, -1,
          false);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + e.getMessage(), e);
    }
  }

  /** A {@link Cached} read or a {@link CachePut}: the value type comes from the return type. */
  private static CachedMethod valued(Method m, Op op, String cache, String key, String ttl, CacheConfig caches) {
    String name = cacheName(cache, caches);
    Type returned = m.getGenericReturnType();
    Class<?> raw = m.getReturnType();
    Shape shape;
    Type value;
    if (raw == void.class || raw == Void.class) {
      throw new IllegalArgumentException("the method returns nothing to cache");
    } else if (raw == Optional.class) {
      shape = Shape.OPTIONAL;
      value = argument(returned, 0, "Optional");
    } else if (raw == CompletionStage.class || raw == CompletableFuture.class) {
      shape = Shape.STAGE;
      value = argument(returned, 0, raw.getSimpleName());
    } else if (CompletionStage.class.isAssignableFrom(raw)) {
      throw new IllegalArgumentException("return CompletionStage<T> or CompletableFuture<T>, not " + raw.getName());
    } else {
      shape = Shape.VALUE;
      value = returned;
    }
    return new CachedMethod(m, op, shape, name, KeyTemplate.parse(key, m, -1, null), ttl(ttl), typeRef(value), -1,
        false);
  }

  /** A {@code @Cached(bulk = true)} read: {@code Collection<K>} in, {@code Map<K, V>} out. */
  private static CachedMethod bulk(Method m, Cached c, CacheConfig caches) {
    String name = cacheName(c.cache(), caches);
    int index = -1;
    Class<?>[] types = m.getParameterTypes();
    for (int i = 0; i < types.length; i++) {
      if (types[i] == Collection.class || types[i] == List.class || types[i] == Set.class) {
        if (index >= 0) {
          throw new IllegalArgumentException("bulk = true needs exactly one Collection, List or Set parameter, found"
              + " several");
        }
        index = i;
      }
    }
    if (index < 0) {
      throw new IllegalArgumentException("bulk = true needs a Collection<K>, List<K> or Set<K> parameter");
    }
    Type element = argument(m.getGenericParameterTypes()[index], 0, types[index].getSimpleName());
    if (m.getReturnType() != Map.class) {
      throw new IllegalArgumentException("bulk = true needs the return type Map<K, V>, got "
          + m.getGenericReturnType().getTypeName());
    }
    Type mapKey = argument(m.getGenericReturnType(), 0, "Map");
    if (!mapKey.equals(element)) {
      throw new IllegalArgumentException("the map's key type " + mapKey.getTypeName()
          + " must be the collection's element type " + element.getTypeName());
    }
    Type value = argument(m.getGenericReturnType(), 1, "Map");
    return new CachedMethod(m, Op.BULK_READ, Shape.VALUE, name, KeyTemplate.parse(c.key(), m, index, element),
        ttl(c.ttl()), typeRef(value), index, types[index] == Set.class);
  }

  private static void interceptable(Method m) {
    int mod = m.getModifiers();
    String why = Modifier.isStatic(mod) ? "static" : Modifier.isPrivate(mod) ? "private" : Modifier.isFinal(mod)
        ? "final" : Modifier.isFinal(m.getDeclaringClass().getModifiers()) ? "in a final class" : null;
    if (why != null) {
      throw new IllegalArgumentException("Guice cannot intercept a method that is " + why
          + "; make it non-private, non-static and non-final in a non-final class");
    }
  }

  private static Shape stageOrValue(Method m) {
    Class<?> raw = m.getReturnType();
    return raw == CompletionStage.class || raw == CompletableFuture.class ? Shape.STAGE : Shape.VALUE;
  }

  private static String cacheName(String name, CacheConfig caches) {
    CacheArguments.name(name);
    if (!caches.caches().containsKey(name)) {
      TreeSet<String> declared = new TreeSet<>(caches.caches().keySet());
      declared.remove(CacheConfig.DEFAULT); // the settings of undeclared caches, not a cache
      throw new IllegalArgumentException("unknown cache '" + name + "': declare it under cache." + name
          + " in the configuration (declared: " + declared + ")");
    }
    return name;
  }

  private static Duration ttl(String text) {
    if (text.isEmpty()) {
      return null;
    }
    Duration d;
    try {
      d = Config.parseDuration(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("ttl \"" + text + "\" is not a duration (250ms, 10s, 10m, 1h, 2d or"
          + " ISO-8601 such as PT10M)");
    }
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("ttl \"" + text + "\" must be positive");
    }
    return d;
  }

  private static Type argument(Type type, int index, String what) {
    if (!(type instanceof ParameterizedType p)) {
      throw new IllegalArgumentException(what + " needs its type argument" + (index > 0 ? "s" : "")
          + " (a raw " + what + " cannot be decoded)");
    }
    return p.getActualTypeArguments()[index];
  }

  private static TypeRef<Object> typeRef(Type value) {
    return TypeRef.of(value); // IllegalArgumentException for a type variable or wildcard
  }

  /** {@code com.example.UserService.find(String, int)}. */
  static String describe(Method m) {
    return m.getDeclaringClass().getName() + "." + m.getName() + Arrays.stream(m.getParameterTypes())
        .map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
  }

  /**
   * What a caller of this method gets for the failure {@code e} of a load: the method's own checked
   * exception when the load wrapped one this method declares, else {@code e}.
   */
  Throwable unwrap(CacheLoadException e) {
    Throwable cause = e.getCause();
    for (Class<?> t : declared) {
      if (t.isInstance(cause)) {
        return cause;
      }
    }
    return e;
  }
}
