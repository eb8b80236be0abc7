package hyperion.examples.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The {@code overhead} measurement: what observability costs the demo. Starts one Redis and two
 * all-in-one demos on loopback, identical but for tracing: <b>on</b> samples and exports every span
 * ({@code tracing.sample_rate} 1.0; with {@code --exporter otlp}, the default and the framework's
 * default exporter, OTLP/HTTP protobuf to a sink in this process that reads and discards it, as a
 * collector would receive it; with {@code --exporter zipkin}, Zipkin spans over HTTP in the
 * exporter's default encoding, protobuf3, to the same sink; with {@code --exporter logging}, the
 * demo's default, a log line per span into a file), <b>off</b>
 * samples none ({@code tracing.exporter none}, {@code sample_rate} 0). Metrics and logs are the
 * same in both. After a warm-up of both in alternating slices, it runs rounds, each driving both
 * demos one after the other (on first in odd rounds, off first in even ones): each
 * gateway closed-loop with keep-alive connections and the {@code baseline} request mix for a fixed
 * time, and prints the throughput of every round, the on/off ratio of each pair, their mean, minimum
 * and maximum, the keep-alive latency percentiles, and each demo's CPU time (as the OS counts it for
 * the process) per answered request. Exit status 0 when the mean ratio is at
 * least 0.95, 1 otherwise, 2 for a bad command line.
 *
 * <p>{@code OverheadMain [--rounds 5] [--seconds 10] [--concurrency 4] [--warmup 15] [--exporter
 * otlp|zipkin|logging]}; run it on an otherwise quiet machine ({@code examples/deploy/overhead.sh}).
 */
public final class OverheadMain {
  /** The longest stretch one side is driven during the warm-up before the other gets its turn. */
  private static final int WARMUP_SLICE = 10;

  private OverheadMain() {}

  /**
   * Runs the measurement.
   *
   * @param args {@code --rounds N --seconds N --concurrency N --warmup N}
   */
  public static void main(String[] args) throws Exception {
    int rounds = 5;
    int seconds = 10;
    int concurrency = 4;
    int warmup = 15;
    String exporter = "otlp";
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--exporter") && List.of("otlp", "zipkin", "logging").contains(args[i + 1])) {
        exporter = args[i + 1];
        continue;
      }
      int value = Integer.parseInt(args[i + 1]);
      switch (args[i]) {
        case "--rounds" -> rounds = value;
        case "--seconds" -> seconds = value;
        case "--concurrency" -> concurrency = value;
        case "--warmup" -> warmup = value;
        default -> {
          System.err.println("usage: OverheadMain [--rounds 5] [--seconds 10] [--concurrency 4] [--warmup 15]"
              + " [--exporter otlp|zipkin|logging]");
          System.exit(2);
        }
      }
    }
    if (rounds < 1 || rounds > 50 || seconds < 1 || seconds > 120 || concurrency < 1 || concurrency > 64
        || warmup < 0 || warmup > 300) {
      System.err.println("overhead: out of range (rounds 1-50, seconds 1-120, concurrency 1-64, warmup 0-300)");
      System.exit(2);
    }
    Path dir = Files.createTempDirectory("hyperion-overhead");
    List<Process> processes = new ArrayList<>();
    int status = 1;
    com.sun.net.httpserver.HttpServer sink = null;
    try {
      Map<String, String> on = Map.of();
      if (exporter.equals("zipkin")) {
        sink = spanSink();
        on = Map.of("HYPERION_TRACING__EXPORTER", "zipkin", "HYPERION_TRACING__ENDPOINT",
            "http://127.0.0.1:" + sink.getAddress().getPort() + "/api/v2/spans");
      } else if (exporter.equals("otlp")) {
        sink = spanSink();
        on = Map.of("HYPERION_TRACING__EXPORTER", "otlp", "HYPERION_TRACING__PROTOCOL", "http/protobuf",
            "HYPERION_TRACING__ENDPOINT", "http://127.0.0.1:" + sink.getAddress().getPort() + "/v1/traces");
      }
      System.out.println("on: every span sampled, exporter " + exporter + "; off: none sampled, exporter none");
      int redisPort = freePort();
      processes.add(new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(dir.resolve("redis.log")
          .toFile()).start());
      int onOffset = freeOffset(20_000);
      int offOffset = freeOffset(onOffset + 100);
      processes.add(demo(dir, "on", onOffset, redisPort, on));
      processes.add(demo(dir, "off", offOffset, redisPort, Map.of("HYPERION_TRACING__SAMPLE_RATE", "0",
          "HYPERION_TRACING__EXPORTER", "none")));
      awaitReady(onOffset, processes.get(1));
      awaitReady(offOffset, processes.get(2));
      URI onUrl = URI.create("http://127.0.0.1:" + (8080 + onOffset) + "/");
      URI off = URI.create("http://127.0.0.1:" + (8080 + offOffset) + "/");
      System.out.printf("warm-up: %d s each, in alternating slices of at most %d s%n", warmup, WARMUP_SLICE);
      // In slices, so that neither side sits idle for the whole warm-up of the other before round 1.
      for (int left = warmup; left > 0; left -= WARMUP_SLICE) {
        drive(onUrl, Math.min(left, WARMUP_SLICE), concurrency, new Histogram(3));
        drive(off, Math.min(left, WARMUP_SLICE), concurrency, new Histogram(3));
      }
      Side onSide = new Side(onUrl, processes.get(1));
      Side offSide = new Side(off, processes.get(2));
      List<Double> ratios = new ArrayList<>();
      for (int r = 1; r <= rounds; r++) {
        // Odd rounds drive on first, even rounds off first: whatever favours a position favours both.
        boolean onFirst = r % 2 == 1;
        double a;
        double b;
        if (onFirst) {
          a = onSide.round(seconds, concurrency);
          b = offSide.round(seconds, concurrency);
        } else {
          b = offSide.round(seconds, concurrency);
          a = onSide.round(seconds, concurrency);
        }
        ratios.add(a / b);
        System.out.printf("round %d (%s first): on %.0f req/s, off %.0f req/s, ratio %.3f%n", r,
            onFirst ? "on" : "off", a, b, a / b);
      }
      double mean = ratios.stream().mapToDouble(Double::doubleValue).average().orElse(0);
      double min = ratios.stream().mapToDouble(Double::doubleValue).min().orElse(0);
      double max = ratios.stream().mapToDouble(Double::doubleValue).max().orElse(0);
      double median = ratios.stream().mapToDouble(Double::doubleValue).sorted().skip((ratios.size() - 1) / 2)
          .limit(2 - ratios.size() % 2).average().orElse(0);
      System.out.printf("on/off throughput ratio: mean %.3f, median %.3f, min %.3f, max %.3f over %d rounds of %d s,"
          + " %d keep-alive connections (target >= 0.95: %s)%n", mean, median, min, max, rounds, seconds, concurrency,
          mean >= 0.95 ? "met" : "MISSED");
      print("on ", onSide.latency);
      print("off", offSide.latency);
      if (onSide.cpuNanos >= 0 && offSide.cpuNanos >= 0) {
        double onCpu = onSide.cpuNanos / 1e3 / onSide.requests;
        double offCpu = offSide.cpuNanos / 1e3 / offSide.requests;
        System.out.printf("demo CPU time per answered request (all three services and their threads, export"
            + " included): on %.1f us, off %.1f us, on/off %.3f%n", onCpu, offCpu, onCpu / offCpu);
      }
      status = mean >= 0.95 ? 0 : 1;
    } finally {
      if (sink != null) {
        sink.stop(0);
      }
      for (int i = processes.size() - 1; i >= 0; i--) {
        Process p = processes.get(i);
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
    // After the finally: exiting inside the try would skip it and leave Redis and both demos running.
    System.exit(status);
  }

  /** A loopback HTTP endpoint that reads every POSTed span batch, discards it and answers 202, like a collector. */
  private static com.sun.net.httpserver.HttpServer spanSink() throws IOException {
    com.sun.net.httpserver.HttpServer sink = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    sink.createContext("/", x -> {
      try (x) {
        x.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
        x.sendResponseHeaders(202, -1);
      }
    });
    sink.start();
    return sink;
  }

  private static void print(String which, Histogram h) {
    System.out.printf("keep-alive latency %s ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f (%d requests)%n", which,
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
        h.getMaxValue() / 1000.0, h.getTotalCount());
  }

  /**
   * One demo under measurement: its gateway, its process, and its rounds' latencies, answered
   * requests and CPU time (-1 where the OS does not report a process's CPU time).
   */
  private static final class Side {
    final URI gateway;
    final Process process;
    final Histogram latency = new Histogram(3);
    long requests;
    long cpuNanos;

    Side(URI gateway, Process process) {
      this.gateway = gateway;
      this.process = process;
    }

    /** One measured round: answers/s; adds its requests and the demo's CPU time to the totals. */
    double round(int seconds, int concurrency) throws Exception {
      long before = cpuNanos(process);
      AtomicLong answered = new AtomicLong();
      double rate = drive(gateway, seconds, concurrency, latency, answered);
      long after = cpuNanos(process);
      requests += answered.get();
      cpuNanos = before < 0 || after < 0 || cpuNanos < 0 ? -1 : cpuNanos + (after - before);
      return rate;
    }

    private static long cpuNanos(Process p) {
      return p.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }
  }

  private static double drive(URI gateway, int seconds, int concurrency, Histogram latency) throws Exception {
    return drive(gateway, seconds, concurrency, latency, new AtomicLong());
  }

  /** Sends the baseline mix back to back on {@code concurrency} connections for {@code seconds}; answers/s. */
  private static double drive(URI gateway, int seconds, int concurrency, Histogram latency, AtomicLong answered)
      throws Exception {
    AtomicLong failed = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> workers = new ArrayList<>();
    List<Histogram> histograms = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      Histogram h = new Histogram(3);
      histograms.add(h);
      int worker = w;
      Thread t = new Thread(() -> {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        int i = worker;
        while (System.nanoTime() < end) {
          Scenario.Request r = Scenario.BASELINE.request(i, 42);
          i += concurrency;
          long t0 = System.nanoTime();
          try {
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(gateway.resolve(r.path().substring(1)))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() == 200) {
              answered.incrementAndGet();
              h.recordValue((System.nanoTime() - t0) / 1000);
            } else {
              failed.incrementAndGet();
            }
          } catch (IOException e) {
            failed.incrementAndGet();
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "overhead-" + w);
      workers.add(t);
      t.start();
    }
    long t0 = System.nanoTime();
    for (Thread t : workers) {
      t.join();
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    histograms.forEach(latency::add);
    if (failed.get() > 0) {
      System.out.printf("  %s: %d requests failed%n", gateway, failed.get());
    }
    return answered.get() / elapsed;
  }

  private static Process demo(Path dir, String name, int offset, int redisPort, Map<String, String> env)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"), "hyperion.examples.demo.DemoMain",
        "--port-offset", Integer.toString(offset), "--redis", "127.0.0.1:" + redisPort)
        .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("HYPERION_") || k.startsWith("DEMO_") || k.startsWith("OTEL_"));
    pb.environment().putAll(env);
    return pb.start();
  }

  private static void awaitReady(int offset, Process p) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    for (int admin : new int[] {9464, 9465, 9466}) {
      URI ready = URI.create("http://127.0.0.1:" + (admin + offset) + "/ready");
      while (true) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("demo at port offset " + offset + " did not become ready");
        }
        try {
          if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode()
              == 200) {
            break;
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(250);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** An offset from {@code from} that puts 8080-8082 and 9464-9466 on free ports. */
  private static int freeOffset(int from) {
    for (int offset = from; offset < from + 10_000; offset += 7) {
      boolean free = true;
      for (int base : new int[] {8080, 8081, 8082, 9464, 9465, 9466}) {
        try (ServerSocket s = new ServerSocket(base + offset, 1, InetAddress.getLoopbackAddress())) {
          free &= s.getLocalPort() > 0;
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return offset;
      }
    }
    throw new IllegalStateException("no free port range from offset " + from);
  }
}
