package hyperion;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real child JVM running {@link Hyperion#run}: signals stop it in reverse order, within the deadline. */
class SignalShutdownTest {

  record Child(Process process, List<String> lines) {}

  private static Child start(Path dir, String shutdownTimeout, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), SignalChildMain.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("HYPERION_SERVICE__SHUTDOWN_TIMEOUT", shutdownTimeout);
    Process p = pb.start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          lines.add(l);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String last = args.length > 0 && args[0].equals("two") ? "start second_server" : "start server";
    while (!lines.contains(last)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new AssertionError("child did not start: " + lines);
      }
      Thread.sleep(20);
    }
    return new Child(p, lines);
  }

  private static List<String> lifecycleLines(Child c) {
    return c.lines().stream().filter(l -> l.matches("(start|stop|hanging) \\w+")).toList();
  }

  @Test
  @Timeout(60)
  void sigtermStopsComponentsInReverseAndExitsZero(@TempDir Path dir) throws Exception {
    Child c = start(dir, "5s");
    c.process().toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of stdout
    assertThat(c.process().waitFor(15, TimeUnit.SECONDS)).as("exited").isTrue();
    assertThat(c.process().exitValue()).as("exit status; output: %s", c.lines()).isZero();
    Thread.sleep(100); // let the reader drain
    assertThat(lifecycleLines(c)).containsExactly("start exporter", "start app", "start server",
        "stop server", "stop app", "stop exporter");
  }

  @Test
  @Timeout(60)
  void sigintDoesTheSame(@TempDir Path dir) throws Exception {
    Child c = start(dir, "5s");
    new ProcessBuilder("kill", "-INT", Long.toString(c.process().pid())).start().waitFor();
    assertThat(c.process().waitFor(15, TimeUnit.SECONDS)).isTrue();
    assertThat(c.process().exitValue()).isZero();
    Thread.sleep(100);
    assertThat(lifecycleLines(c)).endsWith("stop server", "stop app", "stop exporter");
  }

  @Test
  @Timeout(60)
  void oneSigtermStopsSeveralApplicationsInOneJvmInReverseOrder(@TempDir Path dir) throws Exception {
    Child c = start(dir, "5s", "two");
    c.process().toHandle().destroy();
    assertThat(c.process().waitFor(15, TimeUnit.SECONDS)).as("exited").isTrue();
    assertThat(c.process().exitValue()).as("exit status; output: %s", c.lines()).isZero();
    Thread.sleep(100);
    assertThat(lifecycleLines(c)).containsExactly("start first_app", "start first_server", "start second_app",
        "start second_server", "stop second_server", "stop second_app", "stop first_server", "stop first_app");
  }

  @Test
  @Timeout(60)
  void aComponentThatHangsOnStopDoesNotHoldTheProcessPastTheDeadline(@TempDir Path dir) throws Exception {
    Child c = start(dir, "1500ms", "hang");
    long t0 = System.nanoTime();
    c.process().toHandle().destroy();
    assertThat(c.process().waitFor(15, TimeUnit.SECONDS)).isTrue();
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    // 1.5 s deadline plus JVM exit; far below the hang (forever).
    assertThat(tookMs).isLessThan(4_000);
    assertThat(c.process().exitValue()).isEqualTo(Hyperion.EXIT_UNCLEAN_STOP);
    Thread.sleep(100);
    assertThat(lifecycleLines(c)).containsExactly("start exporter", "start app", "start server",
        "stop server", "hanging app", "stop exporter");
  }

  @Test
  @Timeout(60)
  void badConfigurationExitsWithStatusTwoAndNamesTheKey(@TempDir Path dir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), SignalChildMain.class.getName())
        .directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("HYPERION_SERVICE__SHUTDOWN_TIMEOUT", "forever");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(Hyperion.EXIT_START_FAILED);
    assertThat(out).contains("hyperion: start-up failed: invalid configuration: service.shutdown_timeout = 'forever'");
  }
}
