package hyperion;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Deletes the key built from the method's arguments from the cache after the method returns
 * normally ({@link Cache#delete}: both layers and every instance's L1), or with {@code all = true}
 * every entry of the cache ({@link Cache#clear}, which walks the shared layer's keys: meant for rare
 * administrative calls). Nothing is deleted when the method throws. For a {@code CompletionStage}
 * the delete happens after the stage completes normally, before the returned stage completes.
 *
 * <pre>{@code
 * @CacheInvalidate(cache = "users", key = "{0}")
 * void remove(String id) { ... }
 * }</pre>
 *
 * <p>Same rules as {@link Cached} for the key template, the cache name and which methods can be
 * annotated.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CacheInvalidate {

  /** The cache, declared under {@code cache.<name>} in the configuration. */
  String cache();

  /** The key template; empty: the method's only parameter. Must be empty when {@link #all()} is set. */
  String key() default "";

  /** Whether to delete every entry of the cache instead of one key. */
  boolean all() default false;
}
