package hyperion.benchmarks;

import hyperion.benchmarks.Runner.Outcome;
import hyperion.benchmarks.Runner.Score;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** Writes {@code benchmarks.md} and the ratio chart from a run's {@link Outcome}. */
final class Report {
  static final String CHART = "benchmarks-ratios.png";

  /**
   * A port method measured against its native counterpart; {@code target} is a max time ratio and
   * {@code allocationSlack} the most bytes per operation the port may allocate beyond the native
   * side (NaN: no target).
   */
  record Pair(String suite, String label, String port, String nativeMethod, double target, double allocationSlack) {
    Pair(String suite, String label, String port, String nativeMethod, double target) {
      this(suite, label, port, nativeMethod, target, Double.NaN);
    }
  }

  static final List<Pair> PAIRS = List.of(
      new Pair("L1", "Context.cache(name).getIfPresent hit, stats on, vs Caffeine expireAfterWrite + recordStats",
          "contextGetIfPresent", "nativeStatsGetIfPresent", 1.03),
      new Pair("L1", "Context.cache(name).get hit (Optional), stats on, vs the same", "contextGet",
          "nativeStatsGetIfPresent", Double.NaN),
      new Pair("L1", "L1-only cache hit, stats off, vs Caffeine expireAfterWrite", "plainGet", "nativeGetIfPresent",
          1.03),
      new Pair("L1", "Context.cache(name).getOrLoad hit vs Caffeine get(key, fn) with stats", "contextGetOrLoad",
          "nativeStatsGetWithLoader", Double.NaN),
      new Pair("L1", "@Cached method hit vs the same method written with ctx.cache(name).getOrLoad", "annotatedCached",
          "handWrittenGetOrLoad", 1.10),
      new Pair("L1", "getOrLoad hit with refresh_after + stale_if_error vs the same cache without them",
          "freshGetOrLoad", "contextGetOrLoad", 1.03, 1),
      new Pair("L1", "getIfPresent hit with refresh_after + stale_if_error vs the same cache without them",
          "freshGetIfPresent", "contextGetIfPresent", 1.03, 1),
      new Pair("L1", "getOrLoad hit with hot_keys vs the same cache without", "hotKeysGetOrLoad", "contextGetOrLoad",
          1.03, 1),
      new Pair("Metrics", "counter inc, bound child", "portCounterChildInc", "nativeCounterChildInc", 1.03),
      new Pair("Metrics", "counter inc, label lookup", "portCounterLabelsInc", "nativeCounterLabelValuesInc",
          Double.NaN),
      new Pair("Metrics", "histogram observe, bound child", "portHistogramObserve", "nativeHistogramObserve",
          Double.NaN),
      new Pair("Tracing", "span start+end, sampled", "portSpan", "nativeSpan", 1.05, 16),
      new Pair("Tracing", "span start+end, unsampled", "portSpanUnsampled", "nativeSpanUnsampled", 1.10, 16),
      new Pair("Tracing", "span with 4 attributes", "portSpan4Attributes", "nativeSpan4Attributes", 1.05, 16),
      new Pair("Tracing", "W3C inject (inside a span)", "portInject", "nativeInject", 1.05),
      new Pair("Tracing", "W3C extract", "portExtract", "nativeExtract", 1.05),
      new Pair("Tracing", "span with one correlated log line (Logback)", "portSpanWithLog", "nativeSpanWithLog",
          Double.NaN),
      new Pair("L2", "get vs GET + Jackson", "portGet", "nativeGet", 1.05),
      new Pair("L2", "getAll(100) vs MGET + Jackson", "portGetAll100", "nativeGetAll100", 1.05),
      new Pair("L2", "put vs SET PX", "portPut", "nativePut", 1.05),
      new Pair("Coherence", "L1 hit (Caffeine + Redis) in redis.coherence: tracking vs pubsub", "trackingL1Hit",
          "pubsubL1Hit", 1.03));

  /** A computed comparison row. */
  record Row(Pair pair, String variant, Score port, Score nativeScore) {
    double ratio() {
      return port.score() / nativeScore.score();
    }

    /** Bytes per operation the port allocates beyond the native side (NaN when not profiled). */
    double extraAllocation() {
      return port.allocated() - nativeScore.allocated();
    }

    /** The ratio's relative 99.9 % error, from both scores' errors (NaN when JMH gave none). */
    double relativeError() {
      return Math.hypot(port.error() / port.score(), nativeScore.error() / nativeScore.score());
    }

    /** Met/missed, or inconclusive when the error interval straddles the target. */
    String verdict() {
      double target = pair.target();
      double r = ratio();
      double e = relativeError();
      if (!Double.isNaN(e) && r * (1 - e) <= target && r * (1 + e) > target) {
        return String.format(Locale.ROOT, "%s, but **inconclusive**: ±%.0f %% error straddles the target",
            Report.verdict(r, target).replace("**", ""), 100 * e);
      }
      return Report.verdict(r, target);
    }

    String label() {
      return pair.label() + (variant.isEmpty() ? "" : " " + variant);
    }
  }

  private Report() {}

  static List<Row> rows(List<Score> scores, String suite) {
    List<Row> rows = new ArrayList<>();
    Set<String> variants = new LinkedHashSet<>();
    for (Score s : scores) {
      if (s.suite().equals(suite) && s.mode().equals("avgt")) {
        variants.add(variant(s));
      }
    }
    for (Pair p : PAIRS) {
      if (!p.suite().equals(suite)) {
        continue;
      }
      for (String v : variants) {
        Optional<Score> port = find(scores, suite, p.port(), v, "avgt");
        Optional<Score> nat = find(scores, suite, p.nativeMethod(), v, "avgt");
        if (port.isPresent() && nat.isPresent()) {
          rows.add(new Row(p, v, port.get(), nat.get()));
        }
      }
    }
    return rows;
  }

  static String variant(Score s) {
    String v = s.params().isEmpty() ? "" : "[" + s.params() + "]";
    return s.threads() > 1 ? (v + " (" + s.threads() + " threads)").trim() : v;
  }

  static Optional<Score> find(List<Score> scores, String suite, String method, String variant, String mode) {
    return scores.stream().filter(s -> s.suite().equals(suite) && s.method().equals(method)
        && s.mode().equals(mode) && variant(s).equals(variant)).findFirst();
  }

  static String f(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.3f", v);
  }

  static String verdict(double value, double limit) {
    boolean met = value <= limit;
    double by = (value / limit - 1) * 100;
    return met ? String.format(Locale.ROOT, "**met** (%.1f %% under)", -by)
        : String.format(Locale.ROOT, "**missed** by %.1f %%", by);
  }

  static void write(Outcome o, Path docs) throws IOException {
    Files.createDirectories(docs);
    StringBuilder md = new StringBuilder();
    md.append("# Benchmarks\n\n");
    md.append("Generated by `hyperion.benchmarks.Runner` on ").append(Runner.now()).append(".\n\n");
    md.append("Run it with one command from the repository root:\n\n```\n")
        .append("mvn -B -q -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar [--quick]\n")
        .append("```\n\n`--quick` is a smoke run (1 fork, 1 s iterations): good for spotting regressions of "
            + "2× or more, not for the 3 % targets. Without it the runner uses 2 forks, 3×2 s warm-up and "
            + "5×2 s measurement per benchmark. The L2 suite starts its own `redis-server` on a free "
            + "loopback port and stops it afterwards.\n\n");
    if (o.settings().name().equals("quick") || o.settings().name().equals("smoke")) {
      md.append("> **This report comes from a `--").append(o.settings().name()).append("` run**: short "
          + "iterations on a shared machine, so errors are wide and small ratios (a few %) are within noise.\n\n");
    }
    md.append("## Machine and settings\n\n");
    md.append("| | |\n|---|---|\n");
    md.append("| CPU | ").append(cpuModel()).append(" |\n");
    md.append("| Cores (available to the JVM) | ").append(Runtime.getRuntime().availableProcessors()).append(" |\n");
    md.append("| OS | ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
        .append(' ').append(System.getProperty("os.arch")).append(" |\n");
    md.append("| JVM | ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append(" |\n");
    md.append("| JMH | ").append(o.settings().name()).append(": ").append(o.settings().describe())
        .append("; benchmark JVMs with -Xms512m -Xmx512m |\n");
    md.append("| Command | `").append(o.command().trim()).append("` |\n\n");
    md.append("Scores are average time per operation (lower is better); error is JMH's 99.9 % confidence "
        + "half-width. Ratio = port / native, so 1.00 means no overhead. Every suite has a `baseline` "
        + "(the loop with the same argument handling and no call) to show the measurement floor. Alloc is the "
        + "bytes allocated per operation, from JMH's GC profiler (`-prof gc`, `gc.alloc.rate.norm`).\n\n");

    List<String[]> targets = new ArrayList<>();
    List<Row> allRows = new ArrayList<>();
    for (Runner.Suite suite : Runner.SUITES) {
      md.append("## ").append(suite.name()).append("\n\n");
      md.append(description(suite.name())).append("\n\n");
      String skipped = o.skipped().get(suite.name());
      List<Score> own = o.scores().stream().filter(s -> s.suite().equals(suite.name())).toList();
      if (skipped != null || own.isEmpty()) {
        md.append("**Not run**: ").append(skipped == null ? "not selected" : skipped).append(".\n\n");
        for (Pair p : PAIRS) {
          if (p.suite().equals(suite.name()) && !Double.isNaN(p.target())) {
            targets.add(new String[] {suite.name() + ": " + p.label() + " ≤ " + p.target() + "× native", "–",
                "not measured (" + (skipped == null ? "not run" : skipped) + ")"});
          }
        }
        continue;
      }
      List<Row> rows = rows(o.scores(), suite.name());
      allRows.addAll(rows);
      md.append("| Comparison | Port | Native | Unit | Ratio port/native | Target | Alloc port / native (B/op) |\n"
          + "|---|---:|---:|---|---:|---|---:|\n");
      for (Row r : rows) {
        md.append("| ").append(r.label()).append(" | ").append(f(r.port().score())).append(" ± ")
            .append(f(r.port().error())).append(" | ").append(f(r.nativeScore().score())).append(" ± ")
            .append(f(r.nativeScore().error())).append(" | ").append(r.port().unit()).append(" | ")
            .append(String.format(Locale.ROOT, "%.3f", r.ratio())).append(" | ");
        if (!Double.isNaN(r.pair().target())) {
          md.append("≤ ").append(r.pair().target()).append(": ").append(r.verdict());
          targets.add(new String[] {suite.name() + ": " + r.label() + " ≤ " + r.pair().target() + "× native",
              String.format(Locale.ROOT, "%.3f×", r.ratio()), r.verdict()});
        }
        md.append(" | ").append(f(r.port().allocated())).append(" / ").append(f(r.nativeScore().allocated()))
            .append(" |\n");
        if (!Double.isNaN(r.pair().allocationSlack()) && !Double.isNaN(r.extraAllocation())) {
          double extra = r.extraAllocation();
          double slack = r.pair().allocationSlack();
          targets.add(new String[] {suite.name() + ": " + r.label() + ", allocation ≤ native + "
              + String.format(Locale.ROOT, "%.0f", slack) + " B",
              String.format(Locale.ROOT, "%+.1f B/op", extra), extra <= slack
                  ? String.format(Locale.ROOT, "**met** (%.1f B to spare)", slack - extra)
                  : String.format(Locale.ROOT, "**missed** by %.1f B", extra - slack)});
        }
      }
      md.append("\nAll results:\n\n| Benchmark | Mode | Threads | Score | Error | Unit | Alloc (B/op) | p50 | p99 |\n"
          + "|---|---|---:|---:|---:|---|---:|---:|---:|\n");
      for (Score s : own) {
        md.append("| ").append(s.method()).append(s.params().isEmpty() ? "" : " [" + s.params() + "]")
            .append(" | ").append(s.mode()).append(" | ").append(s.threads()).append(" | ").append(f(s.score()))
            .append(" | ").append(f(s.error())).append(" | ").append(s.unit()).append(" | ").append(f(s.allocated()))
            .append(" | ").append(f(s.p50()))
            .append(" | ").append(f(s.p99())).append(" |\n");
      }
      md.append('\n');
      if (suite.name().equals("Tracing")) {
        find(o.scores(), "Tracing", "portSpan", "", "avgt").ifPresent(s -> targets.add(new String[] {
            "Tracing: span start+end through the port < 1 µs", f(s.score()) + " " + s.unit(),
            verdict(s.score(), 1000)}));
      }
      if (suite.name().equals("L2")) {
        find(o.scores(), "L2", "portGet", "", "sample").ifPresent(s -> targets.add(new String[] {
            "L2: get p99 < 1 ms on loopback", f(s.p99()) + " " + s.unit(),
            verdict(s.p99(), s.unit().startsWith("us") ? 1000 : 1_000_000)}));
      }
    }

    md.append("## Hit rate (simulation)\n\n");
    var h = o.hitRate();
    if (h == null) {
      md.append("**Not run.**\n\n");
    } else {
      var p = h.params();
      md.append(String.format(Locale.ROOT, "A plain-Java simulation, not a timing benchmark: %,d requests "
          + "drawn from a Zipf distribution with exponent s = %.2f over %,d keys (seed %d); L1 = %,d entries "
          + "(%.0f %% of the keys). The first half of the trace warms the caches; hit rates are counted over "
          + "the second half. Bélády's optimum evicts the entry used farthest in the future (and may bypass "
          + "the new key). The combined rate puts the Caffeine L1 in front of an L2 of %,d entries (LRU, as "
          + "Redis `allkeys-lru`), filled on every load, and also in front of an L2 that holds every key "
          + "(Redis sized for the data set).\n\n",
          p.requests(), p.exponent(), p.keys(), p.seed(), p.l1Size(), 100.0 * p.l1Size() / p.keys(), p.l2Size()));
      md.append("| Policy | Hit rate |\n|---|---:|\n");
      md.append(String.format(Locale.ROOT, "| L1 Caffeine (W-TinyLFU) | %.2f %% |%n", 100 * h.tinyLfu()));
      md.append(String.format(Locale.ROOT, "| L1 LRU (LinkedHashMap, access order) | %.2f %% |%n", 100 * h.lru()));
      md.append(String.format(Locale.ROOT, "| L1 Bélády optimum (offline) | %.2f %% |%n", 100 * h.optimum()));
      md.append(String.format(Locale.ROOT, "| L1 + L2 (%,d entries, LRU) combined | %.2f %% |%n", p.l2Size(),
          100 * h.combined()));
      md.append(String.format(Locale.ROOT, "| L1 + L2 (every key fits) combined | %.2f %% |%n%n",
          100 * h.combinedUnboundedL2()));
      double gap = 100 * (h.optimum() - h.tinyLfu());
      targets.add(new String[] {"Hit rate: L1 within 5 points of the optimum",
          String.format(Locale.ROOT, "%.2f points below", gap),
          gap <= 5 ? String.format(Locale.ROOT, "**met** (%.2f points to spare)", 5 - gap)
              : String.format(Locale.ROOT, "**missed** by %.2f points", gap - 5)});
      targets.add(new String[] {"Hit rate: combined ≥ 90 % (L2 = " + String.format(Locale.ROOT, "%,d", p.l2Size())
          + " entries)", String.format(Locale.ROOT, "%.2f %%", 100 * h.combined()), hitVerdict(h.combined())});
      targets.add(new String[] {"Hit rate: combined ≥ 90 % (L2 holds every key)",
          String.format(Locale.ROOT, "%.2f %%", 100 * h.combinedUnboundedL2()), hitVerdict(h.combinedUnboundedL2())});
    }

    md.append("## Targets\n\nReported, never asserted in tests.\n\n| Target | Measured | Result |\n|---|---:|---|\n");
    for (String[] t : targets) {
      md.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | ").append(t[2]).append(" |\n");
    }
    md.append('\n');
    if (!allRows.isEmpty()) {
      chart(allRows, docs.resolve(CHART));
      md.append("## Ratios\n\n![port/native ratios](").append(CHART).append(")\n\n"
          + "Bars are port time / native time; 1.0 means the port costs nothing extra. Key:\n\n"
          + "| # | Comparison | Ratio |\n|---:|---|---:|\n");
      for (int i = 0; i < allRows.size(); i++) {
        Row r = allRows.get(i);
        md.append("| ").append(i + 1).append(" | ").append(r.pair().suite()).append(": ").append(r.label())
            .append(" | ").append(String.format(Locale.ROOT, "%.2f", r.ratio())).append(" |\n");
      }
    }
    Files.writeString(docs.resolve("benchmarks.md"), md.toString());
  }

  static String hitVerdict(double rate) {
    double pts = 100 * rate - 90;
    return pts >= 0 ? String.format(Locale.ROOT, "**met** (%.2f points over)", pts)
        : String.format(Locale.ROOT, "**missed** by %.2f points", -pts);
  }

  static String description(String suite) {
    return switch (suite) {
      case "L1" -> "Hits only, as a service has them: each side holds four differently configured caches of "
          + "10,000 entries, all filled to capacity (20,000 keys written, so eviction ran), and reads one cache's "
          + "resident keys in a shuffled order; values are small records. Port: a service with the Caffeine and "
          + "Prometheus adapters; `contextGetIfPresent` is `Context.cache(\"users\").getIfPresent` with statistics on (`contextGet` the same through `get` and its `Optional`), `plainGet` "
          + "a cache with `record_stats: false` held in a field. Native: Caffeine on the system ticker, "
          + "`maximumSize(10_000).expireAfterWrite(30m)`, with `recordStats()` for the statistics comparison. "
          + "Run with 1 and 2 threads; B/op from JMH's GC profiler.";
      case "Metrics" -> "The Prometheus adapter's `Metrics` port vs client_java 1.x "
          + "(`io.prometheus.metrics.core.metrics.Counter`/`Histogram`, classic buckets) in a registry of its "
          + "own. `span=sampled` runs with a sampled span current on the benchmark thread, so the exemplar "
          + "sampler sees a trace id (both sides share client_java's JVM-wide exemplar hook, which the adapter "
          + "installs).";
      case "Tracing" -> "The OTel adapter's `Tracer` port (`exporter: none` plus a `BatchSpanProcessor` over an "
          + "exporter that drops every batch, contributed through the adapter's `SpanProcessor` multibinder) vs "
          + "`SdkTracerProvider` with the same processor and a parent-based sampler. Both sides make the span "
          + "current and end it. Propagation: W3C trace context + baggage on both sides. Logback is the logging "
          + "back end, with OpenTelemetry's MDC appender correlating every line at log time (as docs/tracing.md "
          + "sets it up); the log-line pair writes one INFO line inside the span through it to an appender that "
          + "formats the line (trace_id, span_id included) and drops it. With a real exporter the adapter also "
          + "counts each sampled span into its bounded queue (two atomic increments), which this set-up leaves out "
          + "on purpose: the batch thread's export would dominate a 2-core machine. Allocation: the port's own cost "
          + "per span is one 24-byte object (the SDK span, its scope and the owning thread, which a close on "
          + "another thread must not touch), plus a 24-byte builder wrapper on the `spanBuilder` path and the "
          + "returned 24-byte `TraceContext` for extract. C2 may also scalar-replace the SDK's span builder on the "
          + "native side only (one call level less), which then shows as 32 B more on the port.";
      case "L2" -> "`Context.cache(\"users\")` with `layers: l2` (every read reaches Redis: a key in L2 but not "
          + "in this instance's L1) vs Lettuce's synchronous API + a prepared Jackson reader, against one "
          + "loopback `redis-server` started by the runner. The same 1,024 small records are stored under "
          + "different prefixes (the port's with its 26-byte header); `getAll` reads 100 keys (`MGET`). "
          + "`tracing=none` has the Prometheus adapter only, `tracing=otel` also the OpenTelemetry adapter "
          + "sampling every span, so it includes the L2 client span. `put` also publishes the invalidation. "
          + "Sample mode gives the latency percentiles of get and getAll.";
      default -> "";
    };
  }

  static void chart(List<Row> rows, Path file) throws IOException {
    CategoryChart chart = new CategoryChartBuilder().width(Math.max(900, 40 * rows.size() + 160)).height(520)
        .title("Hyperion port / native library (lower is better, 1.0 = no overhead)")
        .xAxisTitle("comparison (numbered as in the key below the chart)").yAxisTitle("port / native").build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setXAxisLabelRotation(0);
    chart.getStyler().setXAxisMaxLabelCount(rows.size());
    chart.getStyler().setAxisTickLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 11));
    chart.getStyler().setLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 10));
    chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
    chart.getStyler().setLabelsFontColor(java.awt.Color.BLACK);
    chart.getStyler().setLabelsPosition(1.02);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setChartTitleBoxVisible(false);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    List<String> labels = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (Row r : rows) {
      // Numbered ticks (the key is in the report): XChart drops long tick labels that would overlap.
      labels.add(String.valueOf(labels.size() + 1));
      ratios.add(Math.round(r.ratio() * 100) / 100.0);
    }
    chart.addSeries("port/native", labels, ratios);
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return ManagementFactory.getOperatingSystemMXBean().getArch();
  }
}
