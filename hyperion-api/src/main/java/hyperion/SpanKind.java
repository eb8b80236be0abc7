package hyperion;

/** The role of a span in a trace, as in OpenTelemetry and Zipkin. */
public enum SpanKind {
  /** An operation inside one service; the default. */
  INTERNAL,
  /** The server side of a synchronous remote call. */
  SERVER,
  /** The client side of a synchronous remote call. */
  CLIENT,
  /** The sender of an asynchronous message. */
  PRODUCER,
  /** The receiver of an asynchronous message. */
  CONSUMER
}
