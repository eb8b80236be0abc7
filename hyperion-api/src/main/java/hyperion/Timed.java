package hyperion;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Records the method's duration, in seconds, in a histogram of the bound {@link Metrics} with the
 * labels {@code class}, {@code method} and {@code result} ({@code success} or {@code error}).
 *
 * <p>Works on methods of classes that Guice instantiates (Guice AOP), like {@link Traced}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Timed {

  /** The histogram name. */
  String value() default "hyperion_method_duration_seconds";

  /** The histogram help text (used when this annotation declares the histogram first). */
  String help() default "Duration of methods annotated with @Timed";
}
