package hyperion.examples.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One scrape of a Prometheus text-format ({@code text/plain; version=0.0.4}) endpoint: the samples
 * with their labels, and the metric families declared by {@code # TYPE} lines.
 */
public final class PromText {

  /** One sample line: {@code name{labels} value}. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;
  private final Map<String, String> types;

  private PromText(List<Sample> samples, Map<String, String> types) {
    this.samples = samples;
    this.types = types;
  }

  /** GETs {@code url} (text format) and parses it. */
  public static PromText scrape(HttpClient http, URI url) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
        .header("Accept", "text/plain; version=0.0.4").build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + url + " answered " + r.statusCode());
    }
    return parse(r.body());
  }

  /** Parses the text exposition format. */
  public static PromText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        String[] p = line.split("\\s+");
        if (p.length >= 4 && p[1].equals("TYPE")) {
          types.put(p[2], p[3]);
        }
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      String name;
      Map<String, String> labels = new LinkedHashMap<>();
      int rest;
      if (brace >= 0 && (space < 0 || brace < space)) {
        name = line.substring(0, brace);
        rest = parseLabels(line, brace + 1, labels);
      } else {
        name = line.substring(0, space);
        rest = space;
      }
      String[] tail = line.substring(rest).strip().split("\\s+");
      samples.add(new Sample(name, Collections.unmodifiableMap(labels), parseValue(tail[0])));
    }
    return new PromText(List.copyOf(samples), Collections.unmodifiableMap(types));
  }

  private static int parseLabels(String line, int i, Map<String, String> out) {
    while (i < line.length() && line.charAt(i) != '}') {
      int eq = line.indexOf('=', i);
      String key = line.substring(i, eq).strip();
      int q = line.indexOf('"', eq) + 1;
      StringBuilder v = new StringBuilder();
      while (line.charAt(q) != '"') {
        char c = line.charAt(q);
        if (c == '\\') {
          char n = line.charAt(++q);
          v.append(n == 'n' ? '\n' : n);
        } else {
          v.append(c);
        }
        q++;
      }
      out.put(key, v.toString());
      i = q + 1;
      while (i < line.length() && (line.charAt(i) == ',' || line.charAt(i) == ' ')) {
        i++;
      }
    }
    return i + 1;
  }

  private static double parseValue(String s) {
    return switch (s) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(s);
    };
  }

  /** Every sample. */
  public List<Sample> samples() {
    return samples;
  }

  /** Metric family name to type, from the {@code # TYPE} lines. */
  public Map<String, String> types() {
    return types;
  }

  /** The sum of the samples named {@code name} whose labels match {@code filter}; 0 if none. */
  public double sum(String name, Predicate<Map<String, String>> filter) {
    double s = 0;
    for (Sample x : samples) {
      if (x.name.equals(name) && filter.test(x.labels)) {
        s += x.value;
      }
    }
    return s;
  }

  /** The sum of every sample named {@code name}. */
  public double sum(String name) {
    return sum(name, l -> true);
  }

  /** Samples named {@code name}, summed per the values of {@code labelNames} (joined with a space). */
  public Map<String, Double> byLabels(String name, String... labelNames) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Sample x : samples) {
      if (x.name.equals(name)) {
        StringBuilder k = new StringBuilder();
        for (String l : labelNames) {
          if (k.length() > 0) {
            k.append(' ');
          }
          k.append(x.labels.getOrDefault(l, ""));
        }
        out.merge(k.toString(), x.value, Double::sum);
      }
    }
    return out;
  }
}
