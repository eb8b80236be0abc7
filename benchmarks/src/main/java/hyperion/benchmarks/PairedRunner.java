package hyperion.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Measures one port/native pair as interleaved single-fork JMH runs: round after round, one fork of
 * each side back to back (the order alternating), so both sides of a round see the same state of a
 * shared, noisy machine. Each round gives a ratio; the result is their median with a
 * distribution-free confidence interval (order statistics of the rounds' ratios), and a target is
 * met only when the whole interval is at or under it.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar hyperion.benchmarks.PairedRunner \
 *     L1Benchmark.freshGetIfPresent L1Benchmark.contextGetIfPresent [--target 1.03] [--rounds 10]
 *     [--mode avgt|sample] [--param tracing=otel]
 * </pre>
 *
 * <p>Each fork: 3 warm-up and 5 measurement iterations of 1 s, heap fixed at 512 MB, allocation
 * from JMH's GC profiler. Both forks of a round get the same {@value #LAYOUT_SEED}, so a suite that
 * lays out its data at random ({@link L1Benchmark}) lays it out alike on both sides of the round
 * and differently in every round. A suite that needs Redis gets a {@code redis-server} of its own, one for
 * the whole run. In sample mode the round's ratios are of the p50 and the p99.
 *
 * <p>Given one benchmark, an interleaved pair ({@link L1Benchmark#hotKeysInterleaved}), a round is
 * one fork of it, in which both sides ran in turns, and its ratio is the fork's {@code
 * featureNanos} / {@code baseNanos}:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar hyperion.benchmarks.PairedRunner \
 *     L1Benchmark.hotKeysInterleaved [--target 1.03] [--rounds 10]
 * </pre>
 */
public final class PairedRunner {
  private static final Runner.Settings FORK = new Runner.Settings("paired", 1, 3, TimeValue.seconds(1), 5,
      TimeValue.seconds(1), 0);

  /**
   * The system property that seeds a suite's data layout (key names, fill order): both forks of a
   * round get the same value, a new one every round.
   */
  static final String LAYOUT_SEED = "hyperion.bench.layout-seed";

  private PairedRunner() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      usage("two benchmarks, e.g. L1Benchmark.freshGetIfPresent L1Benchmark.contextGetIfPresent,"
          + " or one interleaved pair, e.g. L1Benchmark.hotKeysInterleaved");
    }
    boolean interleaved = args.length < 2 || args[1].startsWith("--");
    String port = args[0];
    String nativeSide = interleaved ? null : args[1];
    int rounds = 10;
    double target = Double.NaN;
    boolean sample = false;
    List<String[]> params = new ArrayList<>();
    for (int i = interleaved ? 1 : 2; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(require(value, "--rounds"));
        case "--target" -> target = Double.parseDouble(require(value, "--target"));
        case "--mode" -> sample = switch (require(value, "--mode")) {
          case "avgt" -> false;
          case "sample" -> true;
          default -> throw usage("--mode: '" + value + "' is not avgt or sample");
        };
        case "--param" -> {
          String[] kv = require(value, "--param").split("=", 2);
          if (kv.length != 2) {
            throw usage("--param: '" + value + "' is not NAME=VALUE");
          }
          params.add(kv);
        }
        default -> throw usage("unknown option " + args[i]);
      }
      i++;
    }
    if (rounds < 3 || rounds > 50) {
      throw usage("--rounds: " + rounds + " is outside [3, 50]");
    }
    Runner.Suite suite = suite(port);
    if (interleaved && sample) {
      throw usage("--mode sample: an interleaved pair is timed by turns, not sampled");
    }
    if (!interleaved && suite != suite(nativeSide)) {
      throw usage("both benchmarks must be in one suite: " + port + ", " + nativeSide);
    }
    RedisServer redis = suite.needsRedis() ? RedisServer.start() : null;
    try {
      if (interleaved) {
        interleaved(suite, port, rounds, target, params, redis);
      } else {
        run(suite, port, nativeSide, rounds, target, sample, params, redis);
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  private static void run(Runner.Suite suite, String port, String nativeSide, int rounds, double target,
      boolean sample, List<String[]> params, RedisServer redis) throws RunnerException {
    double[] ratios = new double[rounds];
    double[] p99Ratios = new double[rounds];
    List<Runner.Score> ports = new ArrayList<>();
    List<Runner.Score> natives = new ArrayList<>();
    SplittableRandom seeds = new SplittableRandom();
    for (int r = 0; r < rounds; r++) {
      boolean portFirst = r % 2 == 0;
      long seed = seeds.nextLong();
      Runner.Score first = fork(suite, portFirst ? port : nativeSide, sample, params, redis, seed);
      Runner.Score second = fork(suite, portFirst ? nativeSide : port, sample, params, redis, seed);
      Runner.Score p = portFirst ? first : second;
      Runner.Score n = portFirst ? second : first;
      ports.add(p);
      natives.add(n);
      ratios[r] = sample ? p.p50() / n.p50() : p.score() / n.score();
      p99Ratios[r] = p.p99() / n.p99();
      System.out.printf(Locale.ROOT, "round %2d (%s first): port %s, native %s, ratio %.3f%s%n", r + 1,
          portFirst ? "port" : "native", describe(p, sample), describe(n, sample), ratios[r],
          sample ? String.format(Locale.ROOT, ", p99 ratio %.3f", p99Ratios[r]) : "");
    }
    String what = sample ? "p50" : "mean";
    summarize(port + " / " + nativeSide + " (" + what + ")", ratios, target);
    if (sample) {
      summarize(port + " / " + nativeSide + " (p99)", p99Ratios, Double.NaN);
    }
    System.out.printf(Locale.ROOT, "allocation per op: port %.1f B, native %.1f B (medians of the forks)%n",
        median(ports.stream().mapToDouble(Runner.Score::allocated).toArray()),
        median(natives.stream().mapToDouble(Runner.Score::allocated).toArray()));
  }

  /**
   * An interleaved pair ({@link L1Benchmark#hotKeysInterleaved}): one fork per round, whose ratio is
   * its {@code featureNanos} over its {@code baseNanos}, both sides having run in turns in that fork.
   */
  private static void interleaved(Runner.Suite suite, String benchmark, int rounds, double target,
      List<String[]> params, RedisServer redis) throws RunnerException {
    double[] ratios = new double[rounds];
    SplittableRandom seeds = new SplittableRandom();
    for (int r = 0; r < rounds; r++) {
      RunResult result = jmhFork(suite, benchmark, false, params, redis, seeds.nextLong());
      var secondary = result.getSecondaryResults();
      if (secondary.get("featureNanos") == null || secondary.get("baseNanos") == null) {
        throw usage(benchmark + " reports no featureNanos and baseNanos: not an interleaved pair");
      }
      double feature = secondary.get("featureNanos").getScore();
      double base = secondary.get("baseNanos").getScore();
      ratios[r] = feature / base;
      System.out.printf(Locale.ROOT, "round %2d: %.1f ns per hit over both sides, ratio %.3f%n", r + 1,
          result.getPrimaryResult().getScore(), ratios[r]);
    }
    summarize(benchmark + " (feature / base)", ratios, target);
  }

  /**
   * One fork of {@code benchmark}: its score, with p50 and p99 in sample mode, and allocation per op.
   * {@code seed} is the round's {@value #LAYOUT_SEED}, the same for both forks of a round.
   */
  private static Runner.Score fork(Runner.Suite suite, String benchmark, boolean sample, List<String[]> params,
      RedisServer redis, long seed) throws RunnerException {
    return Runner.collect(suite, List.of(jmhFork(suite, benchmark, sample, params, redis, seed)), sample).get(0);
  }

  /** Runs one fork of {@code benchmark} with layout seed {@code seed}; its one result. */
  private static RunResult jmhFork(Runner.Suite suite, String benchmark, boolean sample, List<String[]> params,
      RedisServer redis, long seed) throws RunnerException {
    // JMH's own per-iteration lines would bury the rounds; a failing fork still throws.
    ChainedOptionsBuilder options = Runner.options(FORK, suite, 1, redis, include(suite, benchmark),
        "-D" + LAYOUT_SEED + "=" + seed).verbosity(VerboseMode.SILENT).shouldFailOnError(true);
    for (String[] kv : params) {
      options.param(kv[0], kv[1]);
    }
    if (sample) {
      options.mode(Mode.SampleTime).timeUnit(TimeUnit.MICROSECONDS);
    }
    Collection<RunResult> results = Runner.jmh(options);
    if (results.size() != 1) {
      throw new IllegalStateException(benchmark + ": expected one result, JMH gave " + results.size()
          + " (name, or a @Param not fixed with --param?)");
    }
    return results.iterator().next();
  }

  /** The JMH include pattern of exactly {@code benchmark} ({@code Class.method}) of {@code suite}. */
  private static String include(Runner.Suite suite, String benchmark) {
    return "^" + suite.benchmark().getName().replace(".", "\\.") + "\\."
        + benchmark.substring(benchmark.indexOf('.') + 1) + "$";
  }

  /**
   * Prints the median ratio, its confidence interval from the order statistics of the rounds (the
   * widest interval [x(k), x(n+1-k)] whose two tails each hold at most 2.5 % of a median's binomial
   * distribution) and, with a target, the verdict: none from fewer than 6 rounds, whose widest
   * interval covers less than 95 %.
   */
  static String summarize(String what, double[] ratios, double target) {
    double[] sorted = ratios.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    // [x(j), x(n+1-j)] misses the true median with probability 2 P(X < j), X ~ Binomial(n, 1/2).
    int j = 1;
    while (j + 1 <= (n + 1) / 2 && binomialTail(n, j + 1) <= 0.025) {
      j++;
    }
    double coverage = 1 - 2 * binomialTail(n, j);
    double low = sorted[j - 1];
    double high = sorted[n - j];
    String verdict = Double.isNaN(target) ? ""
        : coverage < 0.95 ? String.format(Locale.ROOT,
            "; target <= %.2f: INCONCLUSIVE (a 95 %% interval needs 6 rounds or more)", target)
        : high <= target ? String.format(Locale.ROOT, "; target <= %.2f: MET (the interval is under it)", target)
        : low > target ? String.format(Locale.ROOT, "; target <= %.2f: MISSED (the interval is over it)", target)
        : String.format(Locale.ROOT, "; target <= %.2f: INCONCLUSIVE (the interval straddles it)", target);
    String line = String.format(Locale.ROOT, "%s: median ratio %.3f over %d rounds, %.1f %% interval [%.3f, %.3f]%s",
        what, median(ratios), n, 100 * coverage, low, high, verdict);
    System.out.println(line);
    return line;
  }

  /** P(X &lt; k) for X ~ Binomial(n, 1/2): the chance that fewer than k of n rounds fall under the true median. */
  static double binomialTail(int n, int k) {
    double sum = 0;
    double c = 1; // C(n, 0)
    for (int i = 0; i < k; i++) {
      sum += c;
      c = c * (n - i) / (i + 1);
    }
    return sum / Math.pow(2, n);
  }

  static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  private static String describe(Runner.Score f, boolean sample) {
    return sample ? String.format(Locale.ROOT, "p50 %.1f p99 %.1f %s", f.p50(), f.p99(), f.unit())
        : String.format(Locale.ROOT, "%.3f %s", f.score(), f.unit());
  }

  private static Runner.Suite suite(String benchmark) {
    int dot = benchmark.indexOf('.');
    if (dot <= 0) {
      throw usage("'" + benchmark + "' is not Class.method, e.g. L1Benchmark.contextGetIfPresent");
    }
    String simpleName = benchmark.substring(0, dot);
    return Runner.SUITES.stream().filter(s -> s.benchmark().getSimpleName().equals(simpleName)).findFirst()
        .orElseThrow(() -> usage("no suite has the class " + simpleName));
  }

  private static String require(String value, String option) {
    if (value == null) {
      throw usage("missing value for " + option);
    }
    return value;
  }

  private static IllegalArgumentException usage(String problem) {
    System.err.println(problem + "\nusage: PairedRunner PORT_BENCHMARK NATIVE_BENCHMARK [--target X] [--rounds 10]"
        + " [--mode avgt|sample] [--param NAME=VALUE]...\n       PairedRunner INTERLEAVED_BENCHMARK [--target X]"
        + " [--rounds 10] [--param NAME=VALUE]...");
    System.exit(2);
    return new IllegalArgumentException(problem);
  }
}
