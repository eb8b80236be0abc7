package hyperion.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;

/**
 * Runs every suite and writes {@code docs/benchmarks.md} plus the ratio chart.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests &amp;&amp; java -jar benchmarks/target/benchmarks.jar [--quick]
 * </pre>
 *
 * <p>Options: {@code --quick} (1 fork, 1 warm-up and 3 measurement iterations of 1 s: a smoke run,
 * minutes not hours), {@code --smoke} (1 fork, no warm-up, one 100 ms iteration: checks that
 * everything runs), {@code --out DIR} (default: the repository's {@code docs/}), {@code --only
 * REGEX} (suites whose name matches, e.g. {@code L1|Tracing}), {@code --no-report}.
 */
public final class Runner {

  /** How long JMH runs. */
  public record Settings(String name, int forks, int warmups, TimeValue warmupTime, int iterations,
      TimeValue iterationTime, int hitRateRequests) {
    static final Settings FULL = new Settings("full", 2, 3, TimeValue.seconds(2), 5, TimeValue.seconds(2), 20_000_000);
    static final Settings QUICK = new Settings("quick", 1, 1, TimeValue.seconds(1), 3, TimeValue.seconds(1),
        4_000_000);
    static final Settings SMOKE = new Settings("smoke", 1, 0, TimeValue.milliseconds(50), 1,
        TimeValue.milliseconds(100), 200_000);

    String describe() {
      return forks + " fork(s), " + warmups + " warm-up iteration(s) of " + warmupTime + ", " + iterations
          + " measurement iteration(s) of " + iterationTime;
    }
  }

  /** One suite: its JMH class, what it needs and how often it runs. */
  record Suite(String name, Class<?> benchmark, boolean needsRedis, List<Integer> threads) {}

  static final List<Suite> SUITES = List.of(
      new Suite("L1", L1Benchmark.class, false, List.of(1, 2)),
      new Suite("Metrics", MetricsBenchmark.class, false, List.of(1)),
      new Suite("Tracing", TracingBenchmark.class, false, List.of(1)),
      new Suite("L2", L2Benchmark.class, true, List.of(1)),
      new Suite("Coherence", CoherenceBenchmark.class, true, List.of(1)));

  /**
   * One measured benchmark; {@code allocated} is bytes allocated per operation as JMH's GC profiler
   * measured it ({@code gc.alloc.rate.norm}), NaN when not measured.
   */
  public record Score(String suite, String method, String params, int threads, String mode, double score,
      double error, String unit, double p50, double p99, double allocated) {
    String key() {
      return method + (params.isEmpty() ? "" : " [" + params + "]") + (threads > 1 ? " (" + threads + " threads)" : "");
    }
  }

  /** What a run produced. */
  public record Outcome(Settings settings, List<Score> scores, Map<String, String> skipped,
      HitRateSimulation.Result hitRate, String command) {}

  private Runner() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    Settings settings = Settings.FULL;
    Path out = null;
    String only = ".*";
    boolean report = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> settings = Settings.QUICK;
        case "--smoke" -> settings = Settings.SMOKE;
        case "--out" -> out = Path.of(args[++i]);
        case "--only" -> only = args[++i];
        case "--no-report" -> report = false;
        default -> {
          System.err.println("unknown option " + args[i]
              + "; usage: [--quick | --smoke] [--out DIR] [--only REGEX] [--no-report]");
          System.exit(2);
        }
      }
    }
    Outcome outcome = run(settings, only, "java -jar benchmarks/target/benchmarks.jar " + String.join(" ", args));
    print(outcome);
    if (report) {
      Path docs = out != null ? out : docsDir();
      Report.write(outcome, docs);
      System.out.println("wrote " + docs.resolve("benchmarks.md") + " and " + docs.resolve(Report.CHART));
    }
  }

  /** Runs the suites matching {@code only}, then the hit-rate simulation. */
  public static Outcome run(Settings settings, String only, String command) throws IOException, InterruptedException {
    List<Score> scores = new ArrayList<>();
    Map<String, String> skipped = new LinkedHashMap<>();
    for (Suite suite : SUITES) {
      if (!suite.name().matches(only)) {
        continue;
      }
      if (suite.needsRedis() && !RedisServer.available()) {
        skipped.put(suite.name(), "redis-server is not on the PATH");
        continue;
      }
      RedisServer redis = suite.needsRedis() ? RedisServer.start() : null;
      try {
        boolean smoke = settings.name().equals("smoke");
        // The smoke pass checks that everything runs: one thread count, no sample-mode pass.
        for (int threads : smoke ? List.of(1) : suite.threads()) {
          ChainedOptionsBuilder options = options(settings, suite, threads, redis, suite.benchmark().getName() + "\\.");
          scores.addAll(collect(suite, jmh(options), false));
        }
        if (suite.needsRedis() && !smoke) {
          // Latency distribution of single gets: JMH sample mode gives the percentiles.
          ChainedOptionsBuilder options = options(settings, suite, 1, redis,
                  suite.benchmark().getName() + "\\.(portGet|nativeGet|portGetAll100|nativeGetAll100)$")
              .mode(Mode.SampleTime).timeUnit(TimeUnit.MICROSECONDS);
          scores.addAll(collect(suite, jmh(options), true));
        }
      } catch (RunnerException e) {
        skipped.put(suite.name(), "JMH failed: " + e.getMessage());
      } finally {
        if (redis != null) {
          redis.close();
        }
      }
    }
    HitRateSimulation.Result hitRate = "HitRate".matches(only) || only.equals(".*")
        ? HitRateSimulation.run(HitRateSimulation.Params.standard(settings.hitRateRequests())) : null;
    return new Outcome(settings, scores, skipped, hitRate, command);
  }

  static ChainedOptionsBuilder options(Settings s, Suite suite, int threads, RedisServer redis, String include,
      String... jvmArgs) {
    // One call: JMH's jvmArgsAppend replaces what an earlier call set.
    List<String> args = new ArrayList<>(List.of("-Xms512m", "-Xmx512m", "-Djava.awt.headless=true"));
    if (redis != null) {
      args.add("-D" + RedisServer.PORT_PROPERTY + "=" + redis.port());
    }
    args.addAll(List.of(jvmArgs));
    return new OptionsBuilder()
        .include(include)
        .forks(s.forks()).warmupIterations(s.warmups()).warmupTime(s.warmupTime())
        .measurementIterations(s.iterations()).measurementTime(s.iterationTime())
        .threads(threads).shouldFailOnError(false)
        // Bytes allocated per operation (JMH's -prof gc), reported next to every time.
        .addProfiler(GCProfiler.class)
        .jvmArgsAppend(args.toArray(String[]::new));
  }

  static Collection<RunResult> jmh(ChainedOptionsBuilder options) throws RunnerException {
    return new org.openjdk.jmh.runner.Runner(options.build()).run();
  }

  static List<Score> collect(Suite suite, Collection<RunResult> results, boolean percentiles) {
    List<Score> out = new ArrayList<>();
    for (RunResult r : results) {
      var params = r.getParams();
      String name = params.getBenchmark();
      String method = name.substring(name.lastIndexOf('.') + 1);
      StringBuilder ps = new StringBuilder();
      for (String key : params.getParamsKeys()) {
        ps.append(ps.length() == 0 ? "" : ", ").append(key).append('=').append(params.getParam(key));
      }
      var primary = r.getPrimaryResult();
      var stats = primary.getStatistics();
      double p50 = percentiles ? stats.getPercentile(50) : Double.NaN;
      double p99 = percentiles ? stats.getPercentile(99) : Double.NaN;
      var alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      out.add(new Score(suite.name(), method, ps.toString(), params.getThreads(), params.getMode().shortLabel(),
          primary.getScore(), primary.getScoreError(), primary.getScoreUnit(), p50, p99,
          alloc == null ? Double.NaN : alloc.getScore()));
    }
    return out;
  }

  static void print(Outcome o) {
    for (Score s : o.scores()) {
      System.out.printf(Locale.ROOT, "%-8s %-50s %-7s %12.3f ± %9.3f %s%s%s%n", s.suite(), s.key(), s.mode(), s.score(),
          s.error(), s.unit(), Double.isNaN(s.allocated()) ? "" : String.format(Locale.ROOT, "  %.1f B/op",
              s.allocated()), Double.isNaN(s.p99()) ? "" : String.format(Locale.ROOT, "  p50 %.1f p99 %.1f",
              s.p50(), s.p99()));
    }
    o.skipped().forEach((k, v) -> System.out.println(k + " not run: " + v));
    if (o.hitRate() != null) {
      var h = o.hitRate();
      System.out.printf(Locale.ROOT, "hit rate: W-TinyLFU %.4f LRU %.4f optimum %.4f combined %.4f (L2 = all keys: %.4f)%n",
          h.tinyLfu(), h.lru(), h.optimum(), h.combined(), h.combinedUnboundedL2());
    }
  }

  /** The repository's docs directory, found from the working directory upwards. */
  static Path docsDir() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("benchmarks")) && Files.isDirectory(d.resolve("docs"))) {
        return d.resolve("docs");
      }
    }
    return dir.resolve("docs");
  }

  static String now() {
    return ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }
}
