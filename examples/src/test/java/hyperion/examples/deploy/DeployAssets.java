package hyperion.examples.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The files under {@code examples/deploy/} and the metric names their PromQL queries use. */
final class DeployAssets {
  static final Path DIR = Path.of("deploy");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();

  /** Synthesized by Prometheus itself, never exposed by a service. */
  static final Set<String> PROMETHEUS_OWN = Set.of("up");
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "bool", "and", "or", "unless", "offset", "le", "inf", "nan");
  private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  private DeployAssets() {}

  /** Metric names in a PromQL expression: not functions, keywords, label names, strings or ranges. */
  static Set<String> metricNames(String expr) {
    String e = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")  // strings
        .replaceAll("\\{[^}]*}", "")                              // label matchers
        .replaceAll("\\[[^]]*]", "")                              // ranges
        .replaceAll("\\$\\w+", "")                                // Grafana variables
        .replaceAll("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", ""); // label lists
    Set<String> out = new TreeSet<>();
    Matcher m = IDENT.matcher(e);
    while (m.find()) {
      String id = m.group();
      int after = m.end();
      while (after < e.length() && e.charAt(after) == ' ') {
        after++;
      }
      boolean call = after < e.length() && e.charAt(after) == '(';
      boolean number = m.start() > 0 && Character.isDigit(e.charAt(m.start() - 1));
      if (!call && !number && !KEYWORDS.contains(id.toLowerCase()) && !PROMETHEUS_OWN.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /** Metric name to the alerts using it. */
  static Map<String, Set<String>> metricNamesInRules() {
    Map<String, Set<String>> out = new TreeMap<>();
    JsonNode rules = read(YAML, DIR.resolve("prometheus/alerts.yml"));
    for (JsonNode group : rules.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        String where = "alerts.yml " + rule.path("alert").asText(rule.path("record").asText());
        metricNames(rule.path("expr").asText()).forEach(n -> out.computeIfAbsent(n, k -> new TreeSet<>()).add(where));
      }
    }
    return out;
  }

  /** Metric name to the dashboard panels (and variables) using it. */
  static Map<String, Set<String>> metricNamesInDashboards() {
    Map<String, Set<String>> out = new TreeMap<>();
    for (Path file : dashboards()) {
      JsonNode d = read(JSON, file);
      for (JsonNode p : d.path("panels")) {
        for (JsonNode t : p.path("targets")) {
          String where = file.getFileName() + " \"" + p.path("title").asText() + "\"";
          metricNames(t.path("expr").asText()).forEach(n -> out.computeIfAbsent(n, k -> new TreeSet<>()).add(where));
        }
      }
      for (JsonNode v : d.path("templating").path("list")) {
        String q = v.path("query").isObject() ? v.path("query").path("query").asText() : v.path("query").asText();
        Matcher m = Pattern.compile("label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(q);
        if (m.find()) {
          out.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(file.getFileName() + " variable $"
              + v.path("name").asText());
        }
      }
    }
    return out;
  }

  /** The query of the first target of the panel titled {@code title} in {@code dashboard}. */
  static String panelExpression(String dashboard, String title) {
    for (JsonNode p : read(JSON, DIR.resolve("grafana/dashboards/" + dashboard)).path("panels")) {
      if (p.path("title").asText().equals(title)) {
        return p.path("targets").path(0).path("expr").asText();
      }
    }
    throw new IllegalArgumentException("no panel '" + title + "' in " + dashboard);
  }

  static List<Path> dashboards() {
    try (Stream<Path> s = Files.list(DIR.resolve("grafana/dashboards"))) {
      return new ArrayList<>(s.filter(p -> p.toString().endsWith(".json")).sorted().toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode read(ObjectMapper mapper, Path file) {
    try {
      return mapper.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + file, e);
    }
  }
}
