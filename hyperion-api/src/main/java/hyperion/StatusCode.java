package hyperion;

/** The outcome of a span, as in OpenTelemetry. */
public enum StatusCode {
  /** No status was set; backends treat this as success. */
  UNSET,
  /** The operation was explicitly marked successful. */
  OK,
  /** The operation failed. */
  ERROR
}
