package hyperion.examples.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hyperion.examples.load.LoadRun.Check;
import hyperion.examples.load.LoadRun.Result;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Looks every trace of a run up in Zipkin ({@code GET /api/v2/trace/{id}}): each must hold the
 * target's root SERVER span, and together they must hold exactly the spans the services counted as
 * exported during the run, unless dropped or failed spans explain the difference.
 */
final class ZipkinCheck {
  /** More traces than this are checked on an even sample; the span total is then not compared. */
  static final int MAX_TRACES = 1500;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final URI zipkin;
  private final PrintStream out;

  ZipkinCheck(HttpClient http, URI zipkin, PrintStream out) {
    this.http = http;
    this.zipkin = zipkin;
    this.out = out;
  }

  Check check(Result r, Duration settle) throws InterruptedException {
    List<String> ids = r.traceIds();
    List<String> sample = ids;
    if (ids.size() > MAX_TRACES) {
      sample = new ArrayList<>();
      for (int i = 0; i < MAX_TRACES; i++) {
        sample.add(ids.get((int) ((long) i * ids.size() / MAX_TRACES)));
      }
    }
    double exported = 0;
    double lost = 0;
    for (Map<String, Double> d : r.metricDeltas().values()) {
      exported += d.getOrDefault(LoadRun.EXPORTED, 0.0);
      lost += d.getOrDefault(LoadRun.DROPPED, 0.0) + d.getOrDefault(LoadRun.FAILED, 0.0);
    }
    long until = System.nanoTime() + settle.toNanos();
    long spans;
    long withRoot;
    while (true) {
      spans = 0;
      withRoot = 0;
      try {
        for (String id : sample) {
          JsonNode trace = get("/api/v2/trace/" + id);
          if (trace == null) {
            continue;
          }
          spans += trace.size();
          for (JsonNode s : trace) {
            if (!s.has("parentId") && "SERVER".equals(s.path("kind").asText())) {
              withRoot++;
              break;
            }
          }
        }
      } catch (IOException e) {
        return new Check("traces in Zipkin", false, "cannot query " + zipkin + ": " + e);
      }
      boolean complete = withRoot == sample.size() && (sample != ids || spans == exported);
      if (complete || System.nanoTime() > until) {
        break;
      }
      Thread.sleep(500);
    }
    out.printf("zipkin: %d of %d traces looked up have their root SERVER span; %d spans in them; services exported"
        + " %.0f, dropped or failed %.0f%n", withRoot, sample.size(), spans, exported, lost);
    if (sample != ids) {
      boolean ok = withRoot + lost >= sample.size();
      return new Check("traces in Zipkin (sample of " + sample.size() + " of " + ids.size() + ")", ok,
          withRoot + " of " + sample.size() + " traces found with their root span");
    }
    boolean exact = withRoot == ids.size() && spans == exported;
    boolean explained = !exact && lost > 0 && withRoot + lost >= ids.size() && spans <= exported;
    String detail = ids.size() + " traces, " + withRoot + " with their root span; " + spans
        + " spans in Zipkin, services counted " + (long) exported + " exported and " + (long) lost
        + " dropped or failed";
    String hint = spans > exported ? " (more spans in Zipkin than the scraped services exported: does a service"
        + " export spans whose /metrics is not among " + r.metricDeltas().keySet() + "? Add it with --metrics NAME=URL)"
        : "";
    return new Check("spans in Zipkin match the spans exported", exact || explained,
        exact ? detail : explained ? detail + " (difference explained by the drop counters)" : detail + hint);
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(zipkin.resolve(path)).timeout(Duration.ofSeconds(10))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() == 404) {
      return null;
    }
    if (r.statusCode() != 200) {
      throw new IOException("GET " + path + " answered " + r.statusCode());
    }
    return JSON.readTree(r.body());
  }
}
