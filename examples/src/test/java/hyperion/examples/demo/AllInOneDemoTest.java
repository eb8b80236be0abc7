package hyperion.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.testkit.LoopbackPorts;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's main job as a fresh machine sees it: all three services in one JVM on the embedded
 * defaults (H2, tracing to the log) with no Redis reachable, so it must warn, serve requests
 * uncached while {@code /ready} reports Redis down, print where to look, log JSON lines with trace
 * ids, and exit 0 on one SIGTERM.
 */
class AllInOneDemoTest {

  @Test
  void startsOnEmbeddedDefaultsWithoutRedisPrintsWhereToLookAndStopsCleanly() throws Exception {
    int offset = 0;
    int deadRedis = 0;
    Path log = Files.createTempFile("demo-all", ".log");
    Process p = null;
    String out = "";
    // Ports are checked free before the child binds them; on a busy machine retry on a clash.
    for (int attempt = 0; attempt < 3; attempt++) {
      offset = freeOffset();
      deadRedis = LoopbackPorts.free(); // nothing listens there
      List<String> cmd = new ArrayList<>(List.of(DemoProcess.javaBin(), "-Xmx256m", "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), DemoMain.class.getName(),
          "--port-offset", Integer.toString(offset), "--redis", "127.0.0.1:" + deadRedis, "--users-instances", "2"));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("HYPERION_") || k.startsWith("DEMO_")
          || k.startsWith("OTEL_"));
      p = pb.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      out = "";
      while (System.nanoTime() < deadline && !out.contains("Stop with Ctrl-C") && p.isAlive()) {
        Thread.sleep(200);
        out = Files.readString(log);
      }
      if (p.isAlive() || !Files.readString(log).contains("Address already in use")) {
        break;
      }
    }
    try {
      assertThat(p.isAlive()).as("demo exited early:\n%s", Files.readString(log)).isTrue();
      int gw = 8080 + offset;
      assertThat(out)
          .contains("L2 Redis at 127.0.0.1:" + deadRedis + ": DOWN")
          .contains("WARNING: Redis at 127.0.0.1:" + deadRedis + " is not reachable")
          .contains("=== Hyperion observability demo is up ===")
          .contains("gateway  http://127.0.0.1:" + gw)
          .contains("users    http://127.0.0.1:" + (8081 + offset))
          .contains("users    http://127.0.0.1:" + (8083 + offset))
          .contains("orders   http://127.0.0.1:" + (8082 + offset))
          .contains("admin: http://127.0.0.1:" + (9464 + offset) + "/metrics")
          .contains("curl -s http://127.0.0.1:" + gw + "/users/1/orders");

      HttpResponse<String> r = DemoProcess.get(URI.create("http://127.0.0.1:" + gw + "/users/1/orders"));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      String traceId = r.headers().firstValue("X-Trace-Id").orElseThrow();
      HttpResponse<String> created = DemoProcess.send("POST", URI.create("http://127.0.0.1:" + gw + "/orders"),
          "{\"userId\":2,\"item\":\"tape\",\"amount\":12.5}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      assertThat(DemoProcess.get(URI.create("http://127.0.0.1:" + gw + "/users/42")).statusCode()).isEqualTo(404);
      String metrics = DemoProcess.get(URI.create("http://127.0.0.1:" + (9466 + offset) + "/metrics")).body();
      assertThat(metrics).contains("demo_orders_created_total 1.0")
          .contains("hyperion_http_server_request_duration_seconds_count{method=\"POST\",route=\"/orders\","
              + "status_class=\"2xx\"} 1");
      // degraded, not broken: Redis is down, requests are served, and readiness says so
      HttpResponse<String> ready = DemoProcess.get(URI.create("http://127.0.0.1:" + (9465 + offset) + "/ready"));
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("\"redis\"");

      Thread.sleep(1500); // the batch processor exports every 500 ms to the log
      out = Files.readString(log);
      assertThat(out).contains("\"trace_id\":\"" + traceId + "\"") // request log lines carry the trace id
          .contains("hyperion.otel.spans").contains("db.system.name=h2");

      p.destroy(); // SIGTERM
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("stopped within 20 s").isTrue();
      assertThat(p.exitValue()).as(Files.readString(log)).isEqualTo(0);
      assertThat(Files.readString(log)).contains("stopped cleanly");
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }

  /** An offset that puts 8080-8084 and 9464-9468 on free ports. */
  static int freeOffset() {
    for (int attempt = 0; attempt < 50; attempt++) {
      int offset = 20_000 + ThreadLocalRandom.current().nextInt(20_000);
      boolean free = true;
      for (int base : new int[] {8080, 9464}) {
        for (int i = 0; i < 5 && free; i++) {
          try (ServerSocket s = new ServerSocket(base + offset + i, 1, java.net.InetAddress.getLoopbackAddress())) {
            free = s.getLocalPort() > 0;
          } catch (java.io.IOException e) {
            free = false;
          }
        }
      }
      if (free) {
        return offset;
      }
    }
    throw new IllegalStateException("no free port range found");
  }
}
