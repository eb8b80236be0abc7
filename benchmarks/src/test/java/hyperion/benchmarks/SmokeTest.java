package hyperion.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * CI smoke pass: every suite whose adapters are built runs once (1 fork, no warm-up, one 100 ms
 * iteration), the hit-rate simulation runs on a short trace and the report is written. Checks that
 * the benchmarks compile, start and produce a score; the numbers themselves are not looked at.
 */
class SmokeTest {

  @Test
  void everySuiteRunsOnceAndTheReportIsWritten(@TempDir Path docs) throws Exception {
    // JMH's /tmp/jmh.lock keeps measurements apart; this run measures nothing, and another build's
    // smoke run on the same machine must not fail it.
    System.setProperty("jmh.ignoreLock", "true");
    Runner.Outcome outcome = Runner.run(Runner.Settings.SMOKE, ".*", "SmokeTest");

    for (Runner.Suite suite : Runner.SUITES) {
      String skipped = outcome.skipped().get(suite.name());
      if (skipped != null) {
        // Only a missing adapter branch or a missing redis-server may skip a suite; a JMH failure may not.
        assertThat(skipped).as(suite.name()).containsAnyOf("adapter not built yet", "redis-server is not on the PATH");
        continue;
      }
      Set<String> measured = outcome.scores().stream().filter(s -> s.suite().equals(suite.name()))
          .map(Runner.Score::method).collect(Collectors.toSet());
      Set<String> declared = Arrays.stream(suite.benchmark().getMethods())
          .filter(m -> m.isAnnotationPresent(Benchmark.class)).map(Method::getName).collect(Collectors.toSet());
      assertThat(measured).as("benchmarks of %s that produced a score", suite.name()).containsAll(declared);
      // Every @Param value too: a set-up that fails for one value (JMH goes on without it) is a failure.
      for (String param : declaredParams(suite.benchmark())) {
        Set<String> withParam = outcome.scores().stream()
            .filter(s -> s.suite().equals(suite.name()) && s.params().equals(param))
            .map(Runner.Score::method).collect(Collectors.toSet());
        assertThat(withParam).as("benchmarks of %s with %s that produced a score", suite.name(), param)
            .containsAll(declared);
      }
    }
    assertThat(outcome.hitRate()).isNotNull();
    assertThat(outcome.hitRate().tinyLfu()).isBetween(0.0, 1.0);
    assertThat(outcome.hitRate().optimum()).isGreaterThanOrEqualTo(outcome.hitRate().lru());

    Report.write(outcome, docs);
    assertThat(Files.readString(docs.resolve("benchmarks.md"))).contains("## Targets", "## Hit rate");
  }

  /** {@code name=value} for each value of the one {@code @Param} of the suite's state classes; none without. */
  private static List<String> declaredParams(Class<?> benchmark) {
    List<String> out = new ArrayList<>();
    List<Class<?>> classes = new ArrayList<>(List.of(benchmark.getDeclaredClasses()));
    classes.add(benchmark);
    for (Class<?> c : classes) {
      for (Field f : c.getDeclaredFields()) {
        Param p = f.getAnnotation(Param.class);
        if (p != null) {
          for (String v : p.value()) {
            out.add(f.getName() + "=" + v);
          }
        }
      }
    }
    assertThat(out.stream().map(s -> s.substring(0, s.indexOf('='))).distinct().count())
        .as("a check for more than one @Param per suite is not written").isLessThanOrEqualTo(1);
    return out;
  }
}
