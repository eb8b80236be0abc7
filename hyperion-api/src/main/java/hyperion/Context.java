package hyperion;

import hyperion.config.Config;
import java.util.Optional;

/**
 * What a service injects: every port in one place.
 *
 * <pre>{@code
 * final class UserService {
 *   private final Context ctx;
 *   @Inject UserService(Context ctx) { this.ctx = ctx; }
 *
 *   User get(String id) {
 *     try (Span span = ctx.tracer().start("UserService.get")) {
 *       return ctx.cache("users").getOrLoad(id, User.class, null, repository::find);
 *     }
 *   }
 * }
 * }</pre>
 */
public interface Context {

  /** The bound tracer (no-op unless a tracing adapter is installed). */
  Tracer tracer();

  /** The bound metrics (no-op unless a metrics adapter is installed). */
  Metrics metrics();

  /** The named cache: tiered when L1 and L2 adapters are installed, else the one layer there is. */
  Cache cache(String name);

  /** The loaded configuration. */
  Config config();

  /** The current span on this thread (non-recording when there is none). */
  default Span currentSpan() {
    return tracer().currentSpan();
  }

  /** The current trace id, for log correlation; empty when no valid span is current. */
  default Optional<String> currentTraceId() {
    TraceContext c = tracer().currentSpan().context();
    return c.isValid() ? Optional.of(c.traceId()) : Optional.empty();
  }
}
