package hyperion.examples.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.examples.load.DemoStack;
import hyperion.examples.load.LoadOptions;
import hyperion.examples.load.LoadRun;
import hyperion.examples.load.PromText;
import hyperion.examples.load.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every metric name the Grafana dashboards and the alert rules query exists in a live scrape of the
 * demo (after a little mixed traffic, so the labelled series exist).
 */
@ExtendWith(DemoStack.Resolver.class)
class LiveMetricNamesTest {

  @Test
  void everyQueriedMetricIsExposed(DemoStack stack) throws Exception {
    LoadOptions traffic = LoadOptions.of(Scenario.MIXED, stack.gateway(), stack.metrics())
        .withRate(20, Duration.ofSeconds(2));
    new LoadRun(traffic, new PrintStream(new ByteArrayOutputStream())).run();

    HttpClient http = HttpClient.newHttpClient();
    Set<String> exposed = new TreeSet<>();
    Files.createDirectories(Path.of("target", "demo-stack"));
    for (Map.Entry<String, URI> e : stack.metrics().entrySet()) {
      PromText scrape = PromText.scrape(http, e.getValue());
      StringBuilder dump = new StringBuilder();
      scrape.samples().forEach(s -> {
        exposed.add(s.name());
        dump.append(s.name()).append(s.labels()).append(' ').append(s.value()).append('\n');
      });
      Files.writeString(Path.of("target", "demo-stack", e.getKey() + ".metrics.txt"), dump);
    }
    Map<String, Set<String>> used = new TreeMap<>();
    DeployAssets.metricNamesInRules().forEach((name, where) -> used.computeIfAbsent(name, k -> new TreeSet<>())
        .addAll(where));
    DeployAssets.metricNamesInDashboards().forEach((name, where) -> used.computeIfAbsent(name, k -> new TreeSet<>())
        .addAll(where));
    assertThat(used).as("metric names found in the rules and dashboards").hasSizeGreaterThan(10);
    Map<String, Set<String>> missing = new TreeMap<>();
    used.forEach((name, where) -> {
      if (!exposed.contains(name)) {
        missing.put(name, where);
      }
    });
    assertThat(missing).as("metrics queried by deploy assets but absent from the live scrape of %s",
        stack.metrics().keySet()).isEmpty();
  }
}
