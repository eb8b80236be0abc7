package hyperion.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.examples.load.LoadOptions;
import hyperion.examples.load.LoadRun;
import hyperion.otel.testkit.ZipkinServer;
import hyperion.redis.testkit.RedisServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The all-in-one demo with {@code --users-instances 2}, tracing to a real Zipkin: the load
 * generator's {@code baseline} and {@code mixed} scenarios with their default flags (only {@code
 * --port-offset}, to stay off ports in use, and {@code --zipkin}) pass every cross-check, the
 * second users instance's metrics and spans included.
 */
class TwoUsersInstancesLoadTest {

  @RegisterExtension
  static final RedisServers REDIS = RedisServers.standalone();

  @RegisterExtension
  static final ZipkinServer ZIPKIN = new ZipkinServer();

  @Test
  @Timeout(240)
  void defaultScenariosPassTheirCrossChecksWithTwoUsersInstances() throws Exception {
    int offset = AllInOneDemoTest.freeOffset();
    Path log = Files.createTempFile("demo-two-users", ".log");
    List<String> cmd = new ArrayList<>(List.of(DemoProcess.javaBin(), "-Xmx384m", "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), DemoMain.class.getName(), "--port-offset", Integer.toString(offset),
        "--users-instances", "2", "--redis", REDIS.addresses().get(0), "--tracing", "zipkin", "--tracing-endpoint",
        ZIPKIN.spansUrl()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("HYPERION_") || k.startsWith("DEMO_") || k.startsWith("OTEL_"));
    Process demo = pb.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (!Files.readString(log).contains("Stop with Ctrl-C")) {
        assertThat(demo.isAlive()).as("demo running: %s", Files.readString(log)).isTrue();
        assertThat(System.nanoTime()).as("demo up within 90 s").isLessThan(deadline);
        Thread.sleep(200);
      }
      for (String scenario : List.of("baseline", "mixed")) {
        LoadOptions options = LoadOptions.parse(new String[] {"--scenario", scenario, "--port-offset",
            Integer.toString(offset), "--zipkin", ZIPKIN.baseUrl()});
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        LoadRun.Result r = new LoadRun(options, new PrintStream(buf, true, StandardCharsets.UTF_8)).run();
        String report = buf.toString(StandardCharsets.UTF_8);
        System.out.println(report);
        assertThat(r.passed()).as(report).isTrue();
        assertThat(r.checks()).extracting(LoadRun.Check::name).contains("spans in Zipkin match the spans exported");
        assertThat(r.metricDeltas()).as("the second users instance is scraped").containsKey("users-2");
        assertThat(r.unexpected()).as(report).isZero();
      }
      demo.toHandle().destroy(); // SIGTERM: one signal stops all four applications
      assertThat(demo.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(demo.exitValue()).as(Files.readString(log)).isZero();
    } finally {
      demo.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }
}
