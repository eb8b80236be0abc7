package hyperion.otel;

import hyperion.HealthCheck;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Set;

/**
 * With the adapter's own SDK, tracing is healthy while the last export succeeded or the queue still
 * has room: a backend that is down but not yet overflowing the queue costs nothing, one that makes
 * us drop spans does. With the global (agent's) OpenTelemetry, export is the agent's business and
 * this check is always up.
 *
 * <p>It belongs to no probe group unless {@code health.groups.tracing} says so.
 */
@Singleton
final class TracingHealthCheck implements HealthCheck {
  private final TracingRuntime runtime;

  @Inject
  TracingHealthCheck(TracingRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public String name() {
    return "tracing";
  }

  /**
   * In no probe by default: a trace backend outage costs traces, not service, and must not pull
   * every instance out of rotation. {@code /health/checks} shows it; {@code health.groups.tracing:
   * [ready]} puts it in readiness.
   */
  @Override
  public Set<Group> groups() {
    return Set.of();
  }

  @Override
  public Result check() {
    SpanQueueGate a = runtime.queueGate();
    if (a == null) {
      return Result.up("spans go through the global OpenTelemetry (Java agent), which exports them");
    }
    Boolean last = a.lastExportOk();
    long queued = a.queued();
    String message = "exporter " + runtime.exporterDescription() + ": last export "
        + (last == null ? "none yet" : last ? "ok" : "failed") + ", queue " + queued + "/" + a.capacity()
        + ", dropped " + a.dropped();
    boolean healthy = !Boolean.FALSE.equals(last) || queued < a.capacity();
    return healthy ? Result.up(message) : Result.down(message);
  }
}
