package hyperion.lifecycle;

import hyperion.HealthCheck;
import hyperion.config.Config;
import hyperion.config.ConfigException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the bound {@link HealthCheck}s in parallel, each bounded by {@code health.timeout}, and adds
 * the lifecycle's own state as the {@code lifecycle} check. A hanging check never blocks the caller
 * past the timeout: it runs on a daemon thread that is abandoned.
 *
 * <p>{@link #check(HealthCheck.Group)} runs one probe group: the checks in it (as they declare, or
 * as {@code health.groups.<name>} overrides) plus, for readiness, {@code lifecycle} up while every
 * component runs and, for startup, {@code lifecycle} up once start-up finished. Liveness has no
 * lifecycle check: a stopping process is still alive. {@link #check()} runs every check.
 */
@Singleton
public final class Health {

  private final List<HealthCheck> checks;
  private final Map<HealthCheck.Group, List<HealthCheck>> byGroup = new EnumMap<>(HealthCheck.Group.class);
  private final Lifecycle lifecycle;
  private final Duration timeout;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "hyperion-health");
    t.setDaemon(true);
    return t;
  });

  /**
   * Creates the runner over the bound checks.
   *
   * @throws ConfigException when {@code health.groups} names a check that is not bound
   */
  @Inject
  public Health(Set<HealthCheck> checks, Lifecycle lifecycle, Config config) {
    List<HealthCheck> sorted = new ArrayList<>(checks);
    sorted.sort(Comparator.comparing(HealthCheck::name));
    this.checks = List.copyOf(sorted);
    this.lifecycle = lifecycle;
    this.timeout = config.health().timeout();
    Map<String, List<String>> overrides = config.health().groups();
    List<String> names = this.checks.stream().map(HealthCheck::name).toList();
    for (String name : overrides.keySet()) {
      if (!names.contains(name)) {
        throw new ConfigException("health.groups." + name, overrides.get(name),
            "a bound check: " + (names.isEmpty() ? "(none is bound)" : String.join(", ", names)));
      }
    }
    for (HealthCheck.Group g : HealthCheck.Group.values()) {
      byGroup.put(g, this.checks.stream().filter(c -> {
        List<String> override = overrides.get(c.name());
        return override != null ? override.contains(g.key()) : c.groups().contains(g);
      }).toList());
    }
  }

  /** Runs every check now, whatever its groups, plus {@code lifecycle} (up while all components run). */
  public HealthReport check() {
    return run(checks, new HealthReport.Check("lifecycle", lifecycle.isRunning(), state(), Duration.ZERO));
  }

  /** Runs the checks of {@code group} now and reports each one; see the class comment. */
  public HealthReport check(HealthCheck.Group group) {
    HealthReport.Check own = switch (group) {
      case LIVE -> null;
      case READY -> new HealthReport.Check("lifecycle", lifecycle.isRunning(), state(), Duration.ZERO);
      case STARTED -> {
        Lifecycle.State s = lifecycle.state();
        yield new HealthReport.Check("lifecycle", s != Lifecycle.State.NEW && s != Lifecycle.State.STARTING,
            state(), Duration.ZERO);
      }
    };
    return run(byGroup.get(group), own);
  }

  /** The names of the checks in {@code group}, after {@code health.groups}. */
  public List<String> checkNames(HealthCheck.Group group) {
    return byGroup.get(group).stream().map(HealthCheck::name).toList();
  }

  private String state() {
    return lifecycle.state().name().toLowerCase(Locale.ROOT);
  }

  private HealthReport run(List<HealthCheck> checks, HealthReport.Check own) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<CompletableFuture<HealthReport.Check>> running = new ArrayList<>();
    for (HealthCheck c : checks) {
      running.add(CompletableFuture.supplyAsync(() -> run(c), executor));
    }
    List<HealthReport.Check> results = new ArrayList<>();
    if (own != null) {
      results.add(own);
    }
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
