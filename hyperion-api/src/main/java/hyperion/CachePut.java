package hyperion;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Writes the method's result to the cache under the key built from its arguments, after the method
 * returns normally, as {@link Cache#put} does (the other instances drop their L1 copy). A {@code
 * null} result (or an empty {@code Optional}) deletes the key instead, so no stale value stays
 * behind. For a {@code CompletionStage<T>} the completed value is written before the returned
 * stage completes; a failure writes nothing. The method always runs.
 *
 * <pre>{@code
 * @CachePut(cache = "users", key = "{0}")
 * User rename(String id, String name) { ... }
 * }</pre>
 *
 * <p>Same rules as {@link Cached} for the key template, the TTL, the cache name and which methods
 * can be annotated.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CachePut {

  /** The cache, declared under {@code cache.<name>} in the configuration. */
  String cache();

  /** The key template; empty: the method's only parameter. */
  String key() default "";

  /** Time-to-live of the written value; empty: the cache's {@code default_ttl}. */
  String ttl() default "";
}
