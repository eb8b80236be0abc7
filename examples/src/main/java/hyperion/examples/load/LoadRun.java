package hyperion.examples.load;

import hyperion.examples.load.Scenario.Request;
import java.io.IOException;
import java.io.PrintStream;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * Runs one scenario: scrapes every {@code /metrics} endpoint, sends the scheduled requests, waits
 * for the counters and the span exports to settle, scrapes again and cross-checks.
 */
public final class LoadRun {

  /** The request count per (method, route, status class): the server duration histogram's count. */
  static final String REQUESTS = "hyperion_http_server_request_duration_seconds_count";
  static final String EXPORTED = "hyperion_tracing_spans_exported_total";
  static final String DROPPED = "hyperion_tracing_spans_dropped_total";
  static final String FAILED = "hyperion_tracing_spans_failed_total";
  static final String QUEUE = "hyperion_tracing_queue_size";
  /** Requests that got no HTTP answer are counted under this status. */
  static final String NO_RESPONSE = "none";

  /** One cross-check: what was compared and whether it held. */
  public record Check(String name, boolean ok, String detail) {}

  /**
   * What a run measured and checked.
   *
   * @param scheduled requests in the schedule
   * @param sent requests sent before the deadline
   * @param sentByKey {@code "METHOD route status"} to the number of answers with that status
   * @param unexpected requests whose status was not the one a healthy demo answers
   * @param latency from intended send time to response, microseconds (corrects coordinated omission)
   * @param service from actual send time to response, microseconds
   * @param seconds from the first intended send to the last response
   * @param metricDeltas per service, metric label key to the growth of a counter during the run
   * @param traceIds the {@code X-Trace-Id} of every answer
   * @param checks the cross-checks (empty with {@code --no-check})
   */
  public record Result(int scheduled, int sent, Map<String, Long> sentByKey, long unexpected, Histogram latency,
      Histogram service, double seconds, Map<String, Map<String, Double>> metricDeltas, List<String> traceIds,
      List<Check> checks) {

    /** Requests answered with any HTTP status. */
    public long answered() {
      return sentByKey.entrySet().stream().filter(e -> !e.getKey().endsWith(" " + NO_RESPONSE))
          .mapToLong(Map.Entry::getValue).sum();
    }

    /** Requests answered 4xx/5xx or not at all. */
    public long errors() {
      return sentByKey.entrySet().stream().filter(e -> isError(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }

    /** Whether every check held. */
    public boolean passed() {
      return checks.stream().allMatch(Check::ok);
    }

    /** Answers per second. */
    public double throughput() {
      return seconds <= 0 ? 0 : answered() / seconds;
    }
  }

  private final LoadOptions options;
  private final PrintStream out;
  private final HttpClient http;
  /** The metrics endpoints scraped: {@code options.metrics()} less absent optional ones. */
  private Map<String, URI> endpoints;

  public LoadRun(LoadOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
    // Responses are completed on the client's selector thread instead of being handed to a pool
    // first: one thread hop less per request in what the latency figures measure.
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
        .executor(Runnable::run).build();
  }

  /** Whether the key's status (a code such as {@code 404} or a class such as {@code 4xx}) is an error. */
  static boolean isError(String key) {
    String status = key.substring(key.lastIndexOf(' ') + 1);
    return status.equals(NO_RESPONSE) || status.charAt(0) >= '4';
  }

  /** {@code "GET /users/{id} 404"} as the server labels it: {@code "GET /users/{id} 4xx"}. */
  static String byClass(String key) {
    int space = key.lastIndexOf(' ');
    return key.substring(0, space + 1) + key.charAt(space + 1) + "xx";
  }

  /** Runs the scenario and the checks, printing the report. */
  public Result run() throws InterruptedException {
    options.describe().forEach(out::println);
    endpoints = options.check() ? present() : Map.of();
    warmUp();
    Map<String, PromText> before = options.check() ? quietScrape() : Map.of();
    long[] schedule = options.scenario().schedule(options.rps(), options.duration(), options.maxRequests());
    Histogram[] latency = new Histogram[options.concurrency()];
    Histogram[] service = new Histogram[options.concurrency()];
    Map<String, AtomicLong> byKey = new ConcurrentHashMap<>();
    List<String> traceIds = Collections.synchronizedList(new ArrayList<>());
    AtomicLong unexpected = new AtomicLong();
    AtomicLong lastResponse = new AtomicLong();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    // Hard stop: the schedule's length plus a grace period, whatever the server does.
    long deadline = start + options.duration().toNanos() + TimeUnit.SECONDS.toNanos(30);
    for (int w = 0; w < options.concurrency(); w++) {
      latency[w] = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
      service[w] = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
    }
    runWorkers("load-", options.concurrency(), deadline + TimeUnit.SECONDS.toNanos(5), w -> () -> {
      Histogram lat = latency[w];
      Histogram svc = service[w];
      int i;
      while ((i = next.getAndIncrement()) < schedule.length) {
        long due = start + schedule[i];
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
        }
        if (System.nanoTime() > deadline) {
          return;
        }
        Request r = options.scenario().request(i, options.seed());
        sent.incrementAndGet();
        long sentAt = System.nanoTime();
        String status;
        try {
          HttpResponse<Void> resp = http.send(build(r), HttpResponse.BodyHandlers.discarding());
          status = Integer.toString(resp.statusCode());
          resp.headers().firstValue("X-Trace-Id").ifPresent(traceIds::add);
          if (resp.statusCode() != r.expectedStatus()) {
            unexpected.incrementAndGet();
          }
        } catch (IOException e) {
          status = NO_RESPONSE;
          unexpected.incrementAndGet();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        long done = System.nanoTime();
        lastResponse.accumulateAndGet(done, Math::max);
        lat.recordValue(Math.min(lat.getHighestTrackableValue(), (done - due) / 1000));
        svc.recordValue(Math.min(svc.getHighestTrackableValue(), (done - sentAt) / 1000));
        byKey.computeIfAbsent(r.method() + " " + r.route() + " " + status, k -> new AtomicLong()).incrementAndGet();
      }
    });
    Histogram lat = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
    Histogram svc = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
    for (int w = 0; w < latency.length; w++) {
      lat.add(latency[w]);
      svc.add(service[w]);
    }
    Map<String, Long> sentByKey = new TreeMap<>();
    byKey.forEach((k, v) -> sentByKey.put(k, v.get()));
    double seconds = Math.max(0, lastResponse.get() - start) / 1e9;
    List<Check> checks = new ArrayList<>();
    Map<String, Map<String, Double>> deltas = new LinkedHashMap<>();
    Result partial = new Result(schedule.length, sent.get(), sentByKey, unexpected.get(), lat, svc, seconds, deltas,
        List.copyOf(traceIds), checks);
    printTraffic(partial);
    if (options.check()) {
      crossCheck(partial, before, checks, deltas);
      if (options.zipkin() != null) {
        checks.add(new ZipkinCheck(http, options.zipkin(), out).check(partial, options.settle()));
      }
      for (Check c : checks) {
        out.printf("  [%s] %s: %s%n", c.ok() ? "PASS" : "FAIL", c.name(), c.detail());
      }
      out.println(partial.passed() ? "cross-check PASSED" : "cross-check FAILED");
    }
    return partial;
  }

  /**
   * Sends the baseline mix's reads back to back on up to four connections for the warm-up time and
   * forgets the answers, so the figures of the run measure compiled code, in this JVM's client and in
   * the services, rather than the interpreter. Only reads: the scenario's data stays as it was.
   */
  private void warmUp() throws InterruptedException {
    if (options.warmup().isZero()) {
      return;
    }
    long end = System.nanoTime() + options.warmup().toNanos();
    AtomicInteger next = new AtomicInteger();
    AtomicLong answered = new AtomicLong();
    // each request has a 10 s timeout: the warm-up ends at most that long after its time
    runWorkers("load-warmup-", Math.min(4, options.concurrency()), end + TimeUnit.SECONDS.toNanos(11), w -> () -> {
      while (System.nanoTime() - end < 0 && !Thread.currentThread().isInterrupted()) {
        try {
          http.send(build(Scenario.BASELINE.request(next.getAndIncrement(), options.seed())),
              HttpResponse.BodyHandlers.discarding());
          answered.incrementAndGet();
        } catch (IOException e) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // counted by nothing; the run will tell
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    out.printf("warm-up: %d requests answered in %.1f s (not counted)%n", answered.get(),
        options.warmup().toMillis() / 1000.0);
  }

  /**
   * Runs {@code count} daemon threads named {@code prefix + index}, each the body for its index,
   * and waits for them until {@code stopAt} ({@link System#nanoTime()}); then interrupts any left.
   */
  private static void runWorkers(String prefix, int count, long stopAt, IntFunction<Runnable> body)
      throws InterruptedException {
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < count; w++) {
      Thread t = new Thread(body.apply(w), prefix + w);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
    for (Thread t : workers) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(stopAt - System.nanoTime())));
      t.interrupt();
    }
  }

  private HttpRequest build(Request r) {
    HttpRequest.Builder b = HttpRequest.newBuilder(options.target().resolve(r.path())).timeout(Duration.ofSeconds(10))
        .header("Accept", "application/json");
    if (r.body() == null) {
      b.method(r.method(), HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(r.method(), HttpRequest.BodyPublishers.ofString(r.body()));
    }
    return b.build();
  }

  private void printTraffic(Result r) {
    out.printf("requests: %d scheduled, %d sent, %d answered, %d errors (4xx/5xx/no answer), %d unexpected status%n",
        r.scheduled(), r.sent(), r.answered(), r.errors(), r.unexpected());
    out.printf("throughput: %.1f answers/s over %.2f s%n", r.throughput(), r.seconds());
    printHistogram("latency (from intended send, corrected for coordinated omission)", r.latency());
    printHistogram("service time (from actual send)", r.service());
    r.sentByKey().forEach((k, v) -> out.printf("  %-32s %6d%n", k, v));
  }

  private void printHistogram(String what, Histogram h) {
    out.printf("%s ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f%n", what, h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(95) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
  }

  private Map<String, PromText> scrapeAll() throws InterruptedException {
    Map<String, PromText> out = new LinkedHashMap<>();
    for (Map.Entry<String, URI> e : endpoints.entrySet()) {
      try {
        out.put(e.getKey(), PromText.scrape(http, e.getValue()));
      } catch (IOException ex) {
        throw new IllegalStateException("cannot scrape " + e.getKey() + " at " + e.getValue() + ": " + ex, ex);
      }
    }
    return out;
  }

  /** The endpoints to scrape: with {@code skipAbsentMetrics}, those other than the target's that answer. */
  private Map<String, URI> present() throws InterruptedException {
    Map<String, URI> present = new LinkedHashMap<>();
    for (Map.Entry<String, URI> e : options.metrics().entrySet()) {
      if (!options.skipAbsentMetrics() || e.getKey().equals(options.targetService())) {
        present.put(e.getKey(), e.getValue());
        continue;
      }
      try {
        PromText.scrape(http, e.getValue());
        present.put(e.getKey(), e.getValue());
      } catch (IOException ex) {
        out.println("metrics: skipping " + e.getKey() + " at " + e.getValue() + " (nothing answers there)");
      }
    }
    return present;
  }

  /**
   * Scrapes until no span is waiting for export and the exported counters stand still, so spans
   * of earlier traffic (or of start-up) are not counted as this run's; bounded by the settle time.
   */
  private Map<String, PromText> quietScrape() throws InterruptedException {
    long until = System.nanoTime() + options.settle().toNanos();
    double last = -1;
    while (true) {
      Map<String, PromText> now = scrapeAll();
      double exported = 0;
      double queued = 0;
      for (PromText p : now.values()) {
        exported += p.sum(EXPORTED) + p.sum(DROPPED) + p.sum(FAILED);
        queued += p.sum(QUEUE);
      }
      if ((queued == 0 && exported == last) || System.nanoTime() > until) {
        return now;
      }
      last = exported;
      Thread.sleep(700);
    }
  }

  /** The growth of the target's request counter per "METHOD route status" between two scrapes. */
  static Map<String, Double> requestDeltas(PromText before, PromText after) {
    Map<String, Double> b = before.byLabels(REQUESTS, "method", "route", "status_class");
    Map<String, Double> out = new TreeMap<>();
    after.byLabels(REQUESTS, "method", "route", "status_class").forEach((k, v) -> {
      double d = v - b.getOrDefault(k, 0.0);
      if (d != 0) {
        out.put(k, d);
      }
    });
    return out;
  }

  private static double delta(PromText before, PromText after, String name) {
    return after.sum(name) - before.sum(name);
  }

  private void crossCheck(Result r, Map<String, PromText> before, List<Check> checks,
      Map<String, Map<String, Double>> deltas) throws InterruptedException {
    Map<String, Double> expected = new TreeMap<>();
    r.sentByKey().forEach((k, v) -> {
      if (!k.endsWith(" " + NO_RESPONSE)) {
        expected.merge(byClass(k), v.doubleValue(), Double::sum);
      }
    });
    // The server counts a request after writing its answer, and spans leave in batches: poll until
    // the target's counters match and every export queue is empty and quiet, or the settle time ends.
    long until = System.nanoTime() + options.settle().toNanos();
    Map<String, PromText> after;
    double lastExported = -1;
    while (true) {
      after = scrapeAll();
      double exported = 0;
      double queued = 0;
      for (PromText p : after.values()) {
        exported += p.sum(EXPORTED) + p.sum(DROPPED) + p.sum(FAILED);
        queued += p.sum(QUEUE);
      }
      boolean countersMatch = requestDeltas(before.get(options.targetService()),
          after.get(options.targetService())).equals(expected);
      boolean quiet = queued == 0 && exported == lastExported;
      if ((countersMatch && quiet) || System.nanoTime() > until) {
        break;
      }
      lastExported = exported;
      Thread.sleep(700);
    }
    for (String s : after.keySet()) {
      Map<String, Double> d = new TreeMap<>(requestDeltas(before.get(s), after.get(s)));
      for (String m : List.of(EXPORTED, DROPPED, FAILED)) {
        d.put(m, delta(before.get(s), after.get(s), m));
      }
      deltas.put(s, d);
      out.println("metric deltas of " + s + ":");
      d.forEach((k, v) -> out.printf("  %-48s %+8.0f%n", k, v));
    }
    String target = options.targetService();
    Map<String, Double> actual = requestDeltas(before.get(target), after.get(target));
    checks.add(new Check(target + " request counters grew by exactly the requests sent", actual.equals(expected),
        actual.equals(expected) ? r.answered() + " requests in " + expected.size() + " (method, route, status) series"
            : "sent " + expected + " but " + REQUESTS + " grew by " + actual));
    Map<String, Double> expectedErrors = new TreeMap<>();
    Map<String, Double> actualErrors = new TreeMap<>();
    expected.forEach((k, v) -> {
      if (isError(k)) {
        expectedErrors.put(k, v);
      }
    });
    actual.forEach((k, v) -> {
      if (isError(k)) {
        actualErrors.put(k, v);
      }
    });
    checks.add(new Check(target + " error counts match", expectedErrors.equals(actualErrors),
        "client saw " + expectedErrors + ", server counted " + actualErrors));
    long noAnswer = r.sentByKey().entrySet().stream().filter(e -> e.getKey().endsWith(" " + NO_RESPONSE))
        .mapToLong(Map.Entry::getValue).sum();
    checks.add(new Check("every request was answered", noAnswer == 0 && r.sent() == r.scheduled(),
        r.sent() + " of " + r.scheduled() + " sent, " + noAnswer + " without an answer"));
    double exported = 0;
    double lost = 0;
    for (String s : after.keySet()) {
      exported += deltas.get(s).get(EXPORTED);
      lost += deltas.get(s).get(DROPPED) + deltas.get(s).get(FAILED);
    }
    Map<String, Double> t = deltas.get(target);
    // Every answered request is at least one SERVER span in the target service.
    boolean enough = t.get(EXPORTED) + t.get(DROPPED) + t.get(FAILED) >= r.answered();
    checks.add(new Check("spans exported", enough && exported > 0,
        String.format("%.0f spans exported by all services (%s: %.0f for %d requests), %.0f dropped or failed%s",
            exported, target, t.get(EXPORTED), r.answered(), lost, lost > 0 ? " (REPORTED: traces are incomplete)"
                : "")));
  }
}
