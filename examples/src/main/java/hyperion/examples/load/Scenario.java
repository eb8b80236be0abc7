package hyperion.examples.load;

import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A workload shape: when each request is due (an open-loop schedule, so a slow server cannot slow
 * the offered load down) and which request it is.
 */
public enum Scenario {
  /** Steady {@code rps} reads for the duration. */
  BASELINE(50, Duration.ofSeconds(10)),
  /** {@code rps} for the first third, five times {@code rps} for the second, {@code rps} again. */
  SPIKE(40, Duration.ofSeconds(15)),
  /** A higher steady read rate held for longer: watch for drift in latency, memory and queues. */
  SUSTAINED(100, Duration.ofSeconds(60)),
  /** Reads and writes (updates, new orders) plus a few requests that must fail with 404 and 422. */
  MIXED(50, Duration.ofSeconds(10));

  /** How many times the base rate the middle third of {@link #SPIKE} runs at. */
  public static final int SPIKE_FACTOR = 5;

  private final int defaultRps;
  private final Duration defaultDuration;

  Scenario(int defaultRps, Duration defaultDuration) {
    this.defaultRps = defaultRps;
    this.defaultDuration = defaultDuration;
  }

  /** The rate used when none is given. */
  public int defaultRps() {
    return defaultRps;
  }

  /** The duration used when none is given. */
  public Duration defaultDuration() {
    return defaultDuration;
  }

  /** The lower-case name used on the command line. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a command-line name, failing with the allowed values. */
  public static Scenario parse(String s) {
    for (Scenario x : values()) {
      if (x.cliName().equalsIgnoreCase(s.trim())) {
        return x;
      }
    }
    throw new IllegalArgumentException("--scenario: unrecognized value '" + s
        + "'; allowed: baseline, spike, sustained, mixed");
  }

  /**
   * The intended send time of every request, in nanoseconds from the start, capped at {@code max}
   * requests.
   */
  long[] schedule(int rps, Duration duration, int max) {
    long total = duration.toNanos();
    long third = total / 3;
    long[] out = new long[Math.min(max, expected(rps, duration))];
    long t = 0;
    int n = 0;
    while (n < out.length && t < total) {
      out[n++] = t;
      int rate = this == SPIKE && t >= third && t < 2 * third ? rps * SPIKE_FACTOR : rps;
      t += 1_000_000_000L / rate;
    }
    return n == out.length ? out : java.util.Arrays.copyOf(out, n);
  }

  /** An upper bound of the requests the schedule holds. */
  int expected(int rps, Duration duration) {
    double seconds = duration.toNanos() / 1e9;
    double factor = this == SPIKE ? (2 + SPIKE_FACTOR) / 3.0 : 1;
    return (int) Math.min(Integer.MAX_VALUE - 8, Math.ceil(seconds * rps * factor) + 2);
  }

  /** The request number {@code i} of this scenario (deterministic for a seed). */
  Request request(int i, long seed) {
    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i);
    long user = 1 + r.nextInt(5);
    int p = r.nextInt(100);
    if (this != MIXED) {
      return p < 70 ? Request.get("/users/{id}", "/users/" + user) : Request.get("/users/{id}/orders",
          "/users/" + user + "/orders");
    }
    if (p < 45) {
      return Request.get("/users/{id}", "/users/" + user);
    }
    if (p < 65) {
      return Request.get("/users/{id}/orders", "/users/" + user + "/orders");
    }
    if (p < 77) {
      return new Request("PUT", "/users/{id}", "/users/" + user,
          "{\"name\":\"Load Test " + i + "\",\"email\":\"load" + i + "@example.org\"}", 200);
    }
    if (p < 90) {
      return new Request("POST", "/orders", "/orders",
          "{\"userId\":" + user + ",\"item\":\"load item " + i + "\",\"amount\":" + (1 + r.nextInt(500)) + ".50}",
          201);
    }
    if (p < 95) {
      long unknown = 900_001 + r.nextInt(5); // a few ids that do not exist, as a client retrying would send
      return new Request("GET", "/users/{id}", "/users/" + unknown, null, 404);
    }
    return new Request("PUT", "/users/{id}", "/users/" + user, "{\"name\":\"\",\"email\":\"no-at-sign\"}", 422);
  }

  /**
   * One request.
   *
   * @param method the HTTP method
   * @param route the gateway's route template, as its metrics label it
   * @param path the concrete path
   * @param body a JSON body, or {@code null}
   * @param expectedStatus the status a healthy demo answers
   */
  record Request(String method, String route, String path, String body, int expectedStatus) {
    static Request get(String route, String path) {
      return new Request("GET", route, path, null, 200);
    }
  }
}
