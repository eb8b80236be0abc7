package hyperion;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Caches the method's result: a call returns the value cached under the key built from its
 * arguments, or runs the method and caches what it returns, exactly as {@link Cache#getOrLoad}
 * does (concurrent calls for one key run the method once; a {@code null} result follows the
 * cache's negative caching; an exception caches nothing and reaches every waiting caller
 * unchanged).
 *
 * <pre>{@code
 * @Cached(cache = "users", key = "{0}", ttl = "10m")
 * User find(String id) { ... }
 * }</pre>
 *
 * <p>Return types: a value, {@code Optional<T>} (empty is "not found"), or {@code
 * CompletionStage<T>} / {@code CompletableFuture<T>} (the completed value is cached, a failure is
 * not). The generic return type is what the shared layer decodes ({@code List<Order>} comes back as
 * a list of orders). With {@code bulk = true} the method takes a {@code Collection<K>} (or {@code
 * List<K>}, {@code Set<K>}) and returns a {@code Map<K, V>}: cached values are read with one {@link
 * Cache#getAll} and the method is called with the missing keys only.
 *
 * <p>Works on methods of classes that Guice instantiates (Guice AOP). A method Guice cannot
 * intercept (private, static, final, in a final class, or on an object Guice did not construct), a
 * bad key template, a bad TTL or a cache not declared under {@code cache.<name>} in the
 * configuration fails injector creation with a message naming the method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Cached {

  /** The cache, declared under {@code cache.<name>} in the configuration. */
  String cache();

  /**
   * The key template, e.g. {@code "{0}"}, {@code "{user.id}:{1}"}. Empty: the method's only
   * parameter (required when it has none or several). See the caching guide for the syntax.
   */
  String key() default "";

  /** Time-to-live of the cached value ({@code 250ms}, {@code 10s}, {@code 10m}, {@code 1h}, {@code 2d}); empty: the cache's {@code default_ttl}. */
  String ttl() default "";

  /** Whether the method is a bulk read: {@code Collection<K>} in, {@code Map<K, V>} out. */
  boolean bulk() default false;
}
