package hyperion;

/**
 * Reads propagation headers from a caller-supplied carrier (HTTP request headers, message
 * properties, ...), so {@link Tracer#extract} needs no knowledge of the transport.
 *
 * @param <C> the carrier type
 */
public interface TextMapGetter<C> {

  /** The keys present in the carrier; used for baggage and vendor-specific fields. */
  Iterable<String> keys(C carrier);

  /**
   * The value of {@code key} in the carrier, or {@code null} when absent. Lookups of HTTP headers
   * should be case-insensitive.
   */
  String get(C carrier, String key);
}
