package hyperion.examples.demo;

/** An error that maps to an HTTP status; thrown by handlers, answered as {@code {"error": ...}}. */
final class HttpError extends RuntimeException {
  final int status;

  HttpError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }
}
