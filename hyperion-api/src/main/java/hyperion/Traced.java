package hyperion;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Wraps the method in a span of the bound {@link Tracer}: the span is current while the method
 * runs, an exception is recorded on it (and rethrown), and it ends when the method returns.
 *
 * <p>Works on methods of classes that Guice instantiates (Guice AOP): not private, not static, not
 * final, in a non-final class. On a type, applies to every such method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Traced {

  /** The span name; empty means {@code SimpleClassName.method}. */
  String value() default "";

  /** The span kind. */
  SpanKind kind() default SpanKind.INTERNAL;
}
