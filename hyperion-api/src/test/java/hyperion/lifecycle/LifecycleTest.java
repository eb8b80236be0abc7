package hyperion.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hyperion.Component;
import hyperion.HealthCheck;
import hyperion.config.Config;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  final List<String> events = new CopyOnWriteArrayList<>();

  Component component(String name, int phase) {
    return component(name, phase, () -> {}, () -> {});
  }

  interface Action {
    void run() throws Exception;
  }

  Component component(String name, int phase, Action onStart, Action onStop) {
    return new Component() {
      @Override public String name() { return name; }
      @Override public int phase() { return phase; }
      @Override public void start() throws Exception {
        onStart.run();
        events.add("start " + name);
      }
      @Override public void stop() throws Exception {
        onStop.run();
        events.add("stop " + name);
      }
    };
  }

  private static Set<Component> set(Component... cs) {
    return new LinkedHashSet<>(List.of(cs));
  }

  /** A component that records the budget it is given to stop and uses {@code usesMillis} of it. */
  Component budgeted(String name, int phase, List<Duration> budgets, long usesMillis) {
    return new Component() {
      @Override public String name() { return name; }
      @Override public int phase() { return phase; }
      @Override public void start() {}
      @Override public void stop() {
        throw new AssertionError("the lifecycle calls stop(budget)");
      }
      @Override public void stop(Duration budget) throws Exception {
        budgets.add(budget);
        Thread.sleep(usesMillis);
      }
    };
  }

  @Test
  void eachComponentIsToldItsShareOfWhatIsLeftOfTheDeadline() {
    List<Duration> budgets = new CopyOnWriteArrayList<>();
    Lifecycle lc = new Lifecycle(set(budgeted("exporter", Component.PHASE_TELEMETRY, budgets, 0),
        budgeted("app", 0, budgets, 0), budgeted("server", Component.PHASE_SERVERS, budgets, 300)));
    lc.start(Duration.ofSeconds(1));
    assertThat(lc.stop(Duration.ofMillis(3000))).isTrue();
    // server: a third of 3 s; app: half of what the server left (about 2.7 s); exporter: the rest.
    assertThat(budgets.get(0)).isBetween(Duration.ofMillis(900), Duration.ofMillis(1000));
    assertThat(budgets.get(1)).isBetween(Duration.ofMillis(1200), Duration.ofMillis(1350));
    assertThat(budgets.get(2)).isBetween(Duration.ofMillis(2400), Duration.ofMillis(2700));
  }

  @Test
  void startsByPhaseThenBindingOrderAndStopsInReverse() {
    Lifecycle lc = new Lifecycle(set(component("server", Component.PHASE_SERVERS), component("app", 0),
        component("exporter", Component.PHASE_TELEMETRY), component("app2", 0)));
    lc.start(Duration.ofSeconds(1));
    assertThat(lc.state()).isEqualTo(Lifecycle.State.RUNNING);
    assertThat(lc.stop(Duration.ofSeconds(5))).isTrue();
    assertThat(events).containsExactly("start exporter", "start app", "start app2", "start server",
        "stop server", "stop app2", "stop app", "stop exporter");
    assertThat(lc.state()).isEqualTo(Lifecycle.State.STOPPED);
    assertThat(lc.stop(Duration.ofSeconds(1))).isTrue(); // idempotent
  }

  @Test
  void aFailedStartStopsWhatHadStarted() {
    Lifecycle lc = new Lifecycle(set(component("a", 0), component("b", 1, () -> {
      throw new IllegalStateException("port in use");
    }, () -> {}), component("c", 2)));
    assertThatThrownBy(() -> lc.start(Duration.ofSeconds(1))).hasMessageContaining("b failed to start")
        .hasRootCauseMessage("port in use");
    assertThat(events).containsExactly("start a", "stop a");
  }

  @Test
  void aHangingStopIsAbandonedAtItsShareAndTheRestStillStop() {
    Lifecycle lc = new Lifecycle(set(component("exporter", Component.PHASE_TELEMETRY), component("stuck", 0, () -> {},
        () -> Thread.sleep(60_000)), component("server", Component.PHASE_SERVERS)));
    lc.start(Duration.ofSeconds(1));
    long t0 = System.nanoTime();
    boolean clean = lc.stop(Duration.ofMillis(900));
    long took = (System.nanoTime() - t0) / 1_000_000;
    assertThat(clean).isFalse();
    assertThat(took).isLessThan(1_500);
    assertThat(events).containsExactly("start exporter", "start stuck", "start server", "stop server",
        "stop exporter");
  }

  @Test
  void healthReportsEveryCheckWithinTheTimeout() {
    Lifecycle lc = new Lifecycle(Set.of());
    HealthCheck ok = check("db", () -> HealthCheck.Result.up("ok"));
    HealthCheck down = check("redis", () -> HealthCheck.Result.down("connection refused"));
    HealthCheck throwing = check("zipkin", () -> {
      throw new IllegalStateException("boom");
    });
    HealthCheck hanging = check("slow", () -> {
      Thread.sleep(30_000);
      return HealthCheck.Result.up("late");
    });
    Health health = new Health(set2(ok, down, throwing, hanging), lc,
        Config.fromYaml("health:\n  timeout: 300ms\n"));

    long t0 = System.nanoTime();
    HealthReport report = health.check();
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2_000);
    assertThat(report.healthy()).isFalse();
    assertThat(report.checks()).extracting(HealthReport.Check::name)
        .containsExactly("lifecycle", "db", "redis", "slow", "zipkin");
    assertThat(report.checks()).filteredOn(HealthReport.Check::healthy).extracting(HealthReport.Check::name)
        .containsExactly("db");
    assertThat(report.toJson()).contains("\"status\":\"DOWN\"").contains("\"name\":\"slow\"")
        .contains("timed out after 300 ms").contains("IllegalStateException: boom");

    lc.start(Duration.ofSeconds(1));
    HealthReport onlyOk = new Health(set2(ok), lc, Config.defaults()).check();
    assertThat(onlyOk.healthy()).isTrue();
    assertThat(onlyOk.toJson()).startsWith("{\"status\":\"UP\"");
  }

  interface CheckBody {
    HealthCheck.Result run() throws Exception;
  }

  private static HealthCheck check(String name, CheckBody body) {
    return new HealthCheck() {
      @Override public String name() { return name; }
      @Override public Result check() throws Exception { return body.run(); }
    };
  }

  private static Set<HealthCheck> set2(HealthCheck... cs) {
    return new LinkedHashSet<>(List.of(cs));
  }
}
