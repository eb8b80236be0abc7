package hyperion.examples.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every scenario, a few seconds each, against the demo started by {@link DemoStack}: the gateway's
 * request counters grow by exactly the requests sent, error counts match, and the spans in the real
 * Zipkin server are exactly the spans the services counted as exported (or the drop counters
 * explain the difference).
 */
@ExtendWith(DemoStack.Resolver.class)
class LoadScenariosTest {

  /** The baseline run has a warm-up: its requests must be left out of every count the checks compare. */
  @ParameterizedTest(name = "{0} at {1} rps for {2}s, {3}s warm-up")
  @CsvSource({"baseline, 40, 3, 1", "spike, 20, 3, 0", "sustained, 60, 4, 0", "mixed, 40, 4, 0"})
  @Timeout(180)
  void scenarioCrossCheckPasses(String scenario, int rps, int seconds, int warmup, DemoStack stack) throws Exception {
    LoadOptions options = LoadOptions.of(Scenario.parse(scenario), stack.gateway(), stack.metrics())
        .withRate(rps, Duration.ofSeconds(seconds)).withZipkin(URI.create(stack.zipkinUrl() + "/"))
        .withWarmup(Duration.ofSeconds(warmup));
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    LoadRun.Result r = new LoadRun(options, out).run();
    String report = buf.toString(StandardCharsets.UTF_8);
    System.out.println(report);

    assertThat(r.checks()).as(report).isNotEmpty().allMatch(LoadRun.Check::ok);
    assertThat(r.answered()).as(report).isEqualTo(r.scheduled());
    assertThat(r.unexpected()).as(report).isZero();
    assertThat(r.latency().getTotalCount()).isEqualTo(r.answered());
    if (warmup > 0) {
      assertThat(report).containsPattern("warm-up: [1-9][0-9]* requests answered in 1\\.0 s \\(not counted\\)");
    } else {
      assertThat(report).doesNotContain("warm-up:");
    }
    if (scenario.equals("mixed")) {
      assertThat(r.sentByKey()).as("the mix holds writes and expected failures")
          .containsKeys("PUT /users/{id} 200", "POST /orders 201", "GET /users/{id} 404", "PUT /users/{id} 422");
      assertThat(r.errors()).isPositive();
    } else {
      assertThat(r.errors()).as(report).isZero();
    }
  }
}
