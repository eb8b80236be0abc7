package hyperion.lifecycle;

import hyperion.HealthCheck;
import hyperion.config.Config;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs every bound {@link HealthCheck} in parallel, each bounded by {@code health.timeout}, and
 * adds the lifecycle's own state as the {@code lifecycle} check. A hanging check never blocks the
 * caller past the timeout: it runs on a daemon thread that is abandoned.
 */
@Singleton
public final class Health {

  private final List<HealthCheck> checks;
  private final Lifecycle lifecycle;
  private final Duration timeout;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "hyperion-health");
    t.setDaemon(true);
    return t;
  });

  /** Creates the runner over the bound checks. */
  @Inject
  public Health(Set<HealthCheck> checks, Lifecycle lifecycle, Config config) {
    List<HealthCheck> sorted = new ArrayList<>(checks);
    sorted.sort(Comparator.comparing(HealthCheck::name));
    this.checks = List.copyOf(sorted);
    this.lifecycle = lifecycle;
    this.timeout = config.health().timeout();
  }

  /** Runs all checks now and reports each one. */
  public HealthReport check() {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<CompletableFuture<HealthReport.Check>> running = new ArrayList<>();
    for (HealthCheck c : checks) {
      running.add(CompletableFuture.supplyAsync(() -> run(c), executor));
    }
    List<HealthReport.Check> results = new ArrayList<>();
    results.add(new HealthReport.Check("lifecycle", lifecycle.isRunning(),
        lifecycle.state().name().toLowerCase(java.util.Locale.ROOT), Duration.ZERO));
    for (int i = 0; i < checks.size(); i++) {
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        results.add(running.get(i).get(left, TimeUnit.NANOSECONDS));
      } catch (TimeoutException e) {
        running.get(i).cancel(true);
        results.add(new HealthReport.Check(checks.get(i).name(), false,
            "timed out after " + timeout.toMillis() + " ms", timeout));
      } catch (ExecutionException e) {
        results.add(new HealthReport.Check(checks.get(i).name(), false, String.valueOf(e.getCause()), Duration.ZERO));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        results.add(new HealthReport.Check(checks.get(i).name(), false, "interrupted", Duration.ZERO));
      }
    }
    return new HealthReport(results);
  }

  private static HealthReport.Check run(HealthCheck check) {
    long t0 = System.nanoTime();
    try {
      HealthCheck.Result r = check.check();
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      return r == null
          ? new HealthReport.Check(check.name(), false, "check returned no result", took)
          : new HealthReport.Check(check.name(), r.healthy(), r.message(), took);
    } catch (Exception | Error e) {
      return new HealthReport.Check(check.name(), false, e.getClass().getSimpleName() + ": " + e.getMessage(),
          Duration.ofNanos(System.nanoTime() - t0));
    }
  }
}
