package hyperion.cache;

/**
 * A remote layer refused to store a value: it could not be encoded, or it is larger than the layer
 * accepts. Stages of {@link RemoteLayer} writes fail with it; the tier counts it per {@link
 * #reason()} and does not treat it as a failure of the layer (the circuit breaker ignores it).
 */
public final class RejectedValueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The value could not be encoded. */
  public static final String ENCODE = "encode";
  /** The encoded value is larger than the layer accepts. */
  public static final String TOO_LARGE = "too_large";

  private final String reason;

  /** A refusal for {@code reason} ({@link #ENCODE} or {@link #TOO_LARGE}), described by {@code message}. */
  public RejectedValueException(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  /** {@link #ENCODE} or {@link #TOO_LARGE}: the {@code reason} label of the value-errors metric. */
  public String reason() {
    return reason;
  }
}
