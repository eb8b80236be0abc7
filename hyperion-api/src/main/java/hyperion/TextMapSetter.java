package hyperion;

/**
 * Writes propagation headers into a caller-supplied carrier, so {@link Tracer#inject} needs no
 * knowledge of the transport.
 *
 * @param <C> the carrier type
 */
@FunctionalInterface
public interface TextMapSetter<C> {

  /** Sets {@code key} to {@code value} in {@code carrier}, replacing any previous value. */
  void set(C carrier, String key, String value);
}
