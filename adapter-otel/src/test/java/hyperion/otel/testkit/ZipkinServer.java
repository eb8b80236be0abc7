package hyperion.otel.testkit;

import hyperion.testkit.LoopbackPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the real Zipkin server ({@code io.zipkin:zipkin-server:exec}, copied into {@code
 * target/zipkin/} by the module's build, or the path in system property {@code zipkin.server.jar})
 * as a child JVM listening on a free loopback port, with in-memory storage.
 *
 * <p>As a JUnit extension: {@code @RegisterExtension static final ZipkinServer ZIPKIN = new
 * ZipkinServer();} starts it before the class and stops it after. Elsewhere: {@link #launch()}
 * (returns at once, so other processes can start meanwhile), {@link #awaitHealthy()}, {@link
 * #close()}.
 */
public final class ZipkinServer implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final int port = LoopbackPorts.free();
  private Process process;
  private Path log;

  /** Starts the server and waits until it is healthy. */
  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    launch();
    awaitHealthy();
  }

  /** Stops the server. */
  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** Starts the server process without waiting for it; {@link #baseUrl()} is known already. */
  public synchronized void launch() throws IOException {
    if (process != null) {
      return;
    }
    Path jar = Path.of(System.getProperty("zipkin.server.jar", "target/zipkin/zipkin-server.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no Zipkin server at " + jar.toAbsolutePath()
          + "; run the tests through Maven (generate-test-resources copies it)");
    }
    log = Files.createTempFile("zipkin-server", ".log");
    String p = String.valueOf(port);
    ProcessBuilder pb = new ProcessBuilder(List.of(javaBin(), "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "--server.port=" + p,
        // Listen on loopback only: the list replaces the default wildcard listener.
        "--armeria.ports[0].ip=127.0.0.1", "--armeria.ports[0].port=" + p, "--armeria.ports[0].protocols[0]=http"))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("QUERY_PORT", p);
    pb.environment().put("STORAGE_TYPE", "mem");
    pb.environment().put("SELF_TRACING_ENABLED", "false");
    process = pb.start();
  }

  /** Waits until {@code /health} answers 200; fails with the server's log if it exits or times out. */
  public void awaitHealthy() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("zipkin-server exited with " + process.exitValue() + ":\n"
            + Files.readString(log));
      }
      try {
        if (get("/health").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    String output = Files.readString(log);
    close();
    throw new IllegalStateException("zipkin-server did not become healthy in " + START_TIMEOUT + ":\n" + output);
  }

  /** Stops the server (SIGTERM, then SIGKILL after 20 s) and deletes its log. */
  @Override
  public synchronized void close() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      process = null;
    }
    try {
      if (log != null) {
        Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      // a temp file left behind is harmless
    }
  }

  /** The base URL, e.g. {@code http://127.0.0.1:34567}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** The span intake, {@code <baseUrl>/api/v2/spans}. */
  public String spansUrl() {
    return baseUrl() + "/api/v2/spans";
  }

  /** GETs {@code path} from the server. */
  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
