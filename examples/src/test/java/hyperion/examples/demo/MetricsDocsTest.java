package hyperion.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Hyperion;
import hyperion.examples.load.PromText;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/metrics.md's "Framework metrics" table against what the demo really exposes. The three
 * services run in this JVM (as {@code mvn exec:java} runs them) with a spawned Redis; the test
 * sends traffic with client errors (404, 400, an unmatched path, a loader that fails), kills Redis
 * and keeps reading, stops the users service so the gateway's calls fail, and scrapes every
 * service. Then both ways: every documented family and label is exposed (except the few whose
 * meaning says when they appear), every exposed {@code hyperion_*} family and label is documented,
 * and every exposed value of a label with documented values is one of them.
 */
class MetricsDocsTest {

  @RegisterExtension
  static final RedisServers REDIS = RedisServers.standalone();

  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Families the docs say appear only after something the demo never does. */
  static final Set<String> CONDITIONAL = Set.of("hyperion_cache_l2_value_errors_total",
      "hyperion_cache_refreshes_total", "hyperion_cache_leases_total", "hyperion_method_duration_seconds",
      "hyperion_metrics_series_overflow_total");

  /** One row of the table: family names (or {@code prefix_*}), labels with their listed values (empty: names). */
  record Row(List<String> names, Map<String, Set<String>> labels, String meaning) {
    boolean conditional() {
      return meaning.startsWith("Appears after");
    }
  }

  @Test
  void theTableAndALiveScrapeAgreeBothWays() throws Exception {
    List<Row> table = table(Files.readString(Path.of("../docs/metrics.md")));
    assertThat(table).hasSizeGreaterThan(20);

    int offset = AllInOneDemoTest.freeOffset();
    RedisNode redis = REDIS.nodes().get(0);
    DemoOptions options = DemoOptions.parse(new String[] {"--port-offset", Integer.toString(offset),
        "--redis", redis.address()}, Map.of());
    List<DemoMain.Instance> instances = DemoMain.instances(options, Map.of());
    List<Hyperion> apps = new ArrayList<>();
    Map<String, PromText> scrapes = new TreeMap<>();
    try {
      for (DemoMain.Instance i : instances) {
        apps.add(i.start());
      }
      URI gateway = URI.create("http://127.0.0.1:" + (8080 + offset) + "/");
      URI users = URI.create("http://127.0.0.1:" + (8081 + offset) + "/");
      for (int i = 0; i < 3; i++) {
        assertThat(send("GET", gateway.resolve("users/1"), null)).isEqualTo(200);
        assertThat(send("GET", gateway.resolve("users/1/orders"), null)).isEqualTo(200);
      }
      assertThat(send("PUT", gateway.resolve("users/1"), "{\"name\":\"Ada King\",\"email\":\"ada@example.org\"}"))
          .isEqualTo(200);
      assertThat(send("POST", gateway.resolve("orders"), "{\"userId\":1,\"item\":\"book\",\"amount\":19.99}"))
          .isEqualTo(201);
      assertThat(send("GET", gateway.resolve("users/424242"), null)).isEqualTo(404); // a loader that fails
      assertThat(send("POST", gateway.resolve("orders"), "{not json")).isEqualTo(400);
      assertThat(send("GET", gateway.resolve("no/such/path"), null)).isEqualTo(404);

      // Redis outage: reads go on from the database, the L2 errors and the breaker show it.
      redis.kill();
      for (int i = 0; i < 20; i++) {
        send("GET", users.resolve("users/" + (i % 5 + 1)), null);
      }
      RedisNode.await("Redis errors counted", Duration.ofSeconds(10), () -> {
        try {
          return scrape(9465 + offset).sum("hyperion_redis_errors_total") > 0;
        } catch (Exception e) {
          return false;
        }
      });
      scrapes.put("users", scrape(9465 + offset));
      scrapes.put("orders", scrape(9466 + offset));

      // A failing upstream: the users service stops, the gateway's calls to it fail.
      for (int i = 0; i < instances.size(); i++) {
        if (instances.get(i).service().equals("users")) {
          apps.get(i).stop();
        }
      }
      // A stopping server may still answer (503) for a moment; the first refused connection counts.
      long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      int id = 100;
      do {
        assertThat(send("GET", gateway.resolve("users/" + id++), null)).isGreaterThanOrEqualTo(500);
      } while (scrape(9464 + offset).sum("hyperion_http_client_request_duration_seconds_count",
          l -> "error".equals(l.get("status_class"))) == 0 && System.nanoTime() < until);
      scrapes.put("gateway", scrape(9464 + offset));
    } finally {
      for (int i = apps.size() - 1; i >= 0; i--) {
        apps.get(i).close();
      }
    }

    // The traffic did what the comparison relies on.
    assertThat(scrapes.get("users").sum("hyperion_cache_requests_total",
        l -> "l2".equals(l.get("layer")) && "error".equals(l.get("result")))).isPositive();
    assertThat(scrapes.get("gateway").sum("hyperion_cache_loads_total", l -> "error".equals(l.get("result"))))
        .isPositive();
    assertThat(scrapes.get("gateway").sum("hyperion_http_client_request_duration_seconds_count",
        l -> "error".equals(l.get("status_class")))).isPositive();

    Map<String, Map<String, Set<String>>> exposed = new TreeMap<>(); // family -> label -> values
    for (PromText scrape : scrapes.values()) {
      families(scrape).forEach((family, labels) -> {
        Map<String, Set<String>> into = exposed.computeIfAbsent(family, f -> new TreeMap<>());
        labels.forEach((label, values) -> into.computeIfAbsent(label, l -> new TreeSet<>()).addAll(values));
      });
    }

    Map<String, Row> documented = new LinkedHashMap<>();
    List<String> prefixes = new ArrayList<>();
    for (Row row : table) {
      for (String name : row.names()) {
        if (name.endsWith("*")) {
          prefixes.add(name.substring(0, name.length() - 1));
        } else {
          documented.put(name, row);
        }
      }
    }

    List<String> problems = new ArrayList<>();
    Set<String> conditionalMissing = new TreeSet<>();
    documented.forEach((name, row) -> {
      if (!exposed.containsKey(name)) {
        if (row.conditional()) {
          conditionalMissing.add(name);
        } else {
          problems.add("documented but not exposed: " + name);
        }
        return;
      }
      Set<String> labels = exposed.get(name).keySet();
      if (!labels.equals(row.labels().keySet())) {
        problems.add(name + ": documented labels " + row.labels().keySet() + ", exposed " + labels);
      }
      row.labels().forEach((label, allowed) -> {
        Set<String> values = exposed.get(name).getOrDefault(label, Set.of());
        if (!allowed.isEmpty() && !allowed.containsAll(values)) {
          Set<String> extra = new TreeSet<>(values);
          extra.removeAll(allowed);
          problems.add(name + "{" + label + "}: exposed values " + extra + " are not documented (" + allowed + ")");
        }
      });
    });
    for (String prefix : prefixes) {
      if (exposed.keySet().stream().noneMatch(f -> f.startsWith(prefix))) {
        problems.add("documented but not exposed: " + prefix + "*");
      }
    }
    String demoDoc = Files.readString(Path.of("../docs/demo.md"));
    for (String family : exposed.keySet()) {
      if (family.startsWith("hyperion_")) {
        if (!documented.containsKey(family)) {
          problems.add("exposed but not documented: " + family + " " + exposed.get(family).keySet());
        }
      } else if (family.startsWith("demo_")) {
        if (!demoDoc.contains(family)) {
          problems.add("the demo's own family " + family + " is not in docs/demo.md");
        }
      } else if (prefixes.stream().noneMatch(family::startsWith)) {
        problems.add("exposed but not documented: " + family);
      }
    }
    assertThat(problems).as("docs/metrics.md vs the demo's scrape").isEmpty();
    assertThat(conditionalMissing).as("families the docs say appear only on a condition").isSubsetOf(CONDITIONAL);
    assertThat(documented.values().stream().filter(Row::conditional).flatMap(r -> r.names().stream()))
        .as("rows marked 'Appears after'").containsExactlyInAnyOrderElementsOf(CONDITIONAL);
  }

  private static int send(String method, URI uri, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
        : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static PromText scrape(int port) throws Exception {
    return PromText.scrape(HTTP, URI.create("http://127.0.0.1:" + port + "/metrics"));
  }

  /** Family -> label -> values of one scrape; a sample belongs to the longest declared family that prefixes it. */
  static Map<String, Map<String, Set<String>>> families(PromText scrape) {
    List<String> declared = new ArrayList<>(scrape.types().keySet());
    declared.sort(Comparator.comparingInt(String::length).reversed());
    Map<String, Map<String, Set<String>>> out = new TreeMap<>();
    for (PromText.Sample s : scrape.samples()) {
      String family = declared.stream().filter(s.name()::startsWith).findFirst().orElse(s.name());
      Map<String, Set<String>> labels = out.computeIfAbsent(family, f -> new TreeMap<>());
      s.labels().forEach((k, v) -> {
        if (!k.equals("le") && !k.equals("quantile")) {
          labels.computeIfAbsent(k, x -> new TreeSet<>()).add(v);
        }
      });
    }
    return out;
  }

  private static final Pattern LABEL = Pattern.compile("`([a-z_]+)`(?: \\(([^)]*)\\))?");
  private static final Pattern TICKED = Pattern.compile("`([^`]+)`");

  /** The rows of the "Framework metrics" table. */
  static List<Row> table(String markdown) {
    int from = markdown.indexOf("## Framework metrics");
    int to = markdown.indexOf("\n## ", from + 1);
    List<Row> rows = new ArrayList<>();
    for (String line : markdown.substring(from, to).split("\n")) {
      if (!line.startsWith("| `")) {
        continue;
      }
      String[] cells = line.substring(1, line.length() - 1).split(" \\| ");
      List<String> names = new ArrayList<>();
      Matcher n = TICKED.matcher(cells[0]);
      while (n.find()) {
        names.add(n.group(1));
      }
      Map<String, Set<String>> labels = new LinkedHashMap<>();
      if (!cells[2].strip().equals("–")) {
        Matcher m = LABEL.matcher(cells[2]);
        while (m.find()) {
          Set<String> values = new TreeSet<>();
          // Closed only when the parentheses list values alone; "(route template, `other`)" is open.
          if (m.group(2) != null && TICKED.matcher(m.group(2)).replaceAll("").replaceAll("[,\\s]", "").isEmpty()) {
            Matcher v = TICKED.matcher(m.group(2));
            while (v.find()) {
              values.add(v.group(1));
            }
          }
          labels.put(m.group(1), values);
        }
      }
      rows.add(new Row(names, labels, cells[4].strip()));
    }
    return rows;
  }
}
