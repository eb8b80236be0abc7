package hyperion.examples.load;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code load} command line, validated: every target must be a loopback address, and the run
 * is bounded in duration, rate, request count and concurrency.
 *
 * @param scenario the workload shape
 * @param target the gateway's base URL
 * @param rps the (base) request rate per second
 * @param duration how long requests are sent
 * @param concurrency how many requests may be in flight at once
 * @param maxRequests a cap on the requests sent, whatever the rate and duration
 * @param metrics service name to its {@code /metrics} URL; the one named {@code targetService} is
 *     the one whose request counters must grow exactly by the requests sent
 * @param targetService which entry of {@code metrics} serves {@code target}
 * @param zipkin a Zipkin base URL whose traces are checked too, or {@code null}
 * @param settle how long to wait for counters and span exports to catch up after the last response
 * @param seed the seed of the request mix
 * @param check whether to scrape and cross-check at all
 * @param skipAbsentMetrics whether a {@code metrics} endpoint other than the target's that nothing
 *     listens on is left out (the default list names a second users instance that may not run)
 * @param warmup how long read requests are sent back to back before the run (not counted, and
 *     before the first scrape), so the latency figures measure warm code on both sides; zero: none
 */
public record LoadOptions(Scenario scenario, URI target, int rps, Duration duration, int concurrency,
    int maxRequests, Map<String, URI> metrics, String targetService, URI zipkin, Duration settle, long seed,
    boolean check, boolean skipAbsentMetrics, Duration warmup) {

  /** Upper bounds: a load test on a shared machine, never a stress test of it. */
  public static final Duration MAX_DURATION = Duration.ofMinutes(10);
  public static final int MAX_RPS = 2000;
  public static final int MAX_REQUESTS = 200_000;
  public static final int MAX_CONCURRENCY = 128;
  public static final Duration MAX_WARMUP = Duration.ofMinutes(1);
  /** The warm-up of the command line when {@code --warmup} is not given. */
  public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(3);

  static final String USAGE = """
      usage: LoadMain [--scenario baseline|spike|sustained|mixed] [--target URL] [--rps N] [--duration 10s]
                      [--concurrency N] [--max-requests N]
                      [--metrics NAME=URL[,NAME=URL...]] [--target-service NAME] [--zipkin URL]
                      [--settle 20s] [--seed N] [--warmup 3s] [--no-check] [--port-offset N]
      Defaults: --target http://127.0.0.1:8080, --metrics gateway=http://127.0.0.1:9464/metrics,
      users=http://127.0.0.1:9465/metrics,orders=http://127.0.0.1:9466/metrics,users-2=http://127.0.0.1:9467/metrics
      (the default demo, plus its second users instance when it runs: skipped if nothing listens there),
      --target-service gateway; --port-offset N adds N to every default port (as DemoMain's).
      Only loopback targets are accepted. Limits: duration <= 10m, rps <= 2000, requests <= 200000,
      concurrency <= 128.""";

  public LoadOptions {
    if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("--duration: " + duration + " is outside (0, " + MAX_DURATION + "]");
    }
    if (rps < 1 || rps > MAX_RPS) {
      throw new IllegalArgumentException("--rps: " + rps + " is outside [1, " + MAX_RPS + "]");
    }
    if (scenario == Scenario.SPIKE && (long) rps * Scenario.SPIKE_FACTOR > MAX_RPS * 5L) {
      throw new IllegalArgumentException("--rps: too high for a spike");
    }
    if (maxRequests < 1 || maxRequests > MAX_REQUESTS) {
      throw new IllegalArgumentException("--max-requests: " + maxRequests + " is outside [1, " + MAX_REQUESTS + "]");
    }
    if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw new IllegalArgumentException("--concurrency: " + concurrency + " is outside [1, " + MAX_CONCURRENCY
          + "]");
    }
    if (warmup.isNegative() || warmup.compareTo(MAX_WARMUP) > 0) {
      throw new IllegalArgumentException("--warmup: " + warmup + " is outside [0, " + MAX_WARMUP + "]");
    }
    requireLoopback("--target", target);
    metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    for (Map.Entry<String, URI> e : metrics.entrySet()) {
      requireLoopback("--metrics " + e.getKey(), e.getValue());
    }
    if (check && !metrics.containsKey(targetService)) {
      throw new IllegalArgumentException("--target-service: '" + targetService + "' is not one of --metrics "
          + metrics.keySet());
    }
    if (zipkin != null) {
      requireLoopback("--zipkin", zipkin);
    }
  }

  /**
   * Options for {@code scenario} against the given gateway and metrics endpoints, other values
   * default but the warm-up: none (a caller that wants one sets it with {@link #withWarmup}).
   */
  public static LoadOptions of(Scenario scenario, URI target, Map<String, URI> metrics) {
    return new LoadOptions(scenario, target, scenario.defaultRps(), scenario.defaultDuration(), 16, MAX_REQUESTS,
        metrics, "gateway", null, Duration.ofSeconds(20), 42, true, false, Duration.ZERO);
  }

  /** These options with another warm-up. */
  public LoadOptions withWarmup(Duration newWarmup) {
    return new LoadOptions(scenario, target, rps, duration, concurrency, maxRequests, metrics, targetService,
        zipkin, settle, seed, check, skipAbsentMetrics, newWarmup);
  }

  /** These options with another rate and duration. */
  public LoadOptions withRate(int newRps, Duration newDuration) {
    return new LoadOptions(scenario, target, newRps, newDuration, concurrency, maxRequests, metrics, targetService,
        zipkin, settle, seed, check, skipAbsentMetrics, warmup);
  }

  /** These options with the traces also checked in the Zipkin at {@code newZipkin}. */
  public LoadOptions withZipkin(URI newZipkin) {
    return new LoadOptions(scenario, target, rps, duration, concurrency, maxRequests, metrics, targetService,
        newZipkin, settle, seed, check, skipAbsentMetrics, warmup);
  }

  /** Refuses any URL whose host does not resolve to loopback addresses only. */
  static void requireLoopback(String what, URI url) {
    String host = url.getHost();
    if (host == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
      throw new IllegalArgumentException(what + ": '" + url + "' is not an http(s) URL");
    }
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(what + ": cannot resolve '" + host + "'");
    }
    for (InetAddress a : all) {
      if (!a.isLoopbackAddress()) {
        throw new IllegalArgumentException(what + ": refusing non-loopback target " + url + " (" + host + " is "
            + a.getHostAddress() + "); load is only ever sent to 127.0.0.0/8 or ::1");
      }
    }
  }

  /** Parses the command line. */
  public static LoadOptions parse(String[] args) {
    Map<String, String> v = new HashMap<>();
    boolean check = true;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        throw new IllegalArgumentException(USAGE);
      }
      if (a.equals("--no-check")) {
        check = false;
        continue;
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'\n" + USAGE);
      }
      int eq = a.indexOf('=');
      if (eq > 0) {
        v.put(a.substring(2, eq), a.substring(eq + 1));
      } else if (i + 1 < args.length) {
        v.put(a.substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("missing value for " + a + "\n" + USAGE);
      }
    }
    List<String> known = List.of("scenario", "target", "rps", "duration", "concurrency", "max-requests", "metrics",
        "target-service", "zipkin", "settle", "seed", "port-offset", "warmup");
    for (String k : v.keySet()) {
      if (!known.contains(k)) {
        throw new IllegalArgumentException("unknown option --" + k + "\n" + USAGE);
      }
    }
    Scenario scenario = Scenario.parse(v.getOrDefault("scenario", "baseline"));
    int offset = integer(v, "port-offset", 0);
    if (offset < 0 || offset > 50_000) {
      throw new IllegalArgumentException("--port-offset: " + offset + " is not between 0 and 50000");
    }
    Map<String, URI> metrics = new LinkedHashMap<>();
    String list = v.getOrDefault("metrics", "gateway=http://127.0.0.1:" + (9464 + offset) + "/metrics,users=http://"
        + "127.0.0.1:" + (9465 + offset) + "/metrics,orders=http://127.0.0.1:" + (9466 + offset) + "/metrics,"
        + "users-2=http://127.0.0.1:" + (9467 + offset) + "/metrics");
    for (String part : list.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--metrics: '" + part + "' is not NAME=URL");
      }
      metrics.put(part.substring(0, eq).trim(), uri("--metrics", part.substring(eq + 1).trim()));
    }
    return new LoadOptions(scenario, uri("--target", v.getOrDefault("target", "http://127.0.0.1:" + (8080 + offset))),
        integer(v, "rps", scenario.defaultRps()), duration(v, "duration", scenario.defaultDuration()),
        integer(v, "concurrency", 16), integer(v, "max-requests", MAX_REQUESTS), metrics,
        v.getOrDefault("target-service", "gateway"), v.containsKey("zipkin") ? uri("--zipkin", v.get("zipkin")) : null,
        duration(v, "settle", Duration.ofSeconds(20)), integer(v, "seed", 42), check, !v.containsKey("metrics"),
        duration(v, "warmup", DEFAULT_WARMUP));
  }

  private static URI uri(String what, String s) {
    try {
      return URI.create(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": '" + s + "' is not a URL");
    }
  }

  private static int integer(Map<String, String> v, String key, int dflt) {
    String s = v.get(key);
    try {
      return s == null ? dflt : Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + ": '" + s + "' is not a whole number");
    }
  }

  static Duration duration(Map<String, String> v, String key, Duration dflt) {
    String s = v.get(key);
    if (s == null) {
      return dflt;
    }
    String t = s.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      if (t.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      return Duration.parse(s.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--" + key + ": '" + s + "' is not a duration such as 500ms, 10s or 2m");
    }
  }

  /** For messages. */
  List<String> describe() {
    List<String> out = new ArrayList<>();
    out.add("scenario " + scenario.cliName() + ", target " + target + ", " + rps + " rps"
        + (scenario == Scenario.SPIKE ? " (x" + Scenario.SPIKE_FACTOR + " in the middle third)" : "") + " for "
        + duration.toMillis() / 1000.0 + " s, concurrency " + concurrency + ", at most " + maxRequests + " requests"
        + (warmup.isZero() ? "" : ", after a " + warmup.toMillis() / 1000.0 + " s warm-up"));
    return out;
  }
}
