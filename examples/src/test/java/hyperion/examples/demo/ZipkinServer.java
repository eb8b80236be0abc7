package hyperion.examples.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the real Zipkin server ({@code io.zipkin:zipkin-server:exec}, fetched into {@code target/}
 * by the build) as a child JVM on a free loopback port for the test class (the same approach as
 * adapter-otel's tests); register it with {@code @RegisterExtension static final ZipkinServer ZIPKIN = new ZipkinServer();}.
 */
final class ZipkinServer implements BeforeAllCallback, AfterAllCallback {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;
  private int port;
  private Path log;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Path jar = Path.of(System.getProperty("zipkin.server.jar", "target/zipkin/zipkin-server.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no Zipkin server at " + jar + "; run the build through Maven (generate-test-resources)");
    }
    port = DemoProcess.freePort();
    log = Files.createTempFile("zipkin-server", ".log");
    String p = String.valueOf(port);
    ProcessBuilder pb = new ProcessBuilder(List.of(javaBin(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-jar", jar.toString(), "--server.port=" + p,
        // Listen on loopback only: the list replaces the default wildcard listener.
        "--armeria.ports[0].ip=127.0.0.1", "--armeria.ports[0].port=" + p, "--armeria.ports[0].protocols[0]=http"))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("QUERY_PORT", p);
    pb.environment().put("STORAGE_TYPE", "mem");
    pb.environment().put("SELF_TRACING_ENABLED", "false");
    process = pb.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("zipkin-server exited with " + process.exitValue() + ":\n" + Files.readString(log));
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
    afterAll(context);
    throw new IllegalStateException("zipkin-server did not become healthy in 90 s:\n" + Files.readString(log));
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
      process = null;
    }
    if (log != null) {
      Files.deleteIfExists(log);
    }
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The base URL, e.g. http://127.0.0.1:34567. */
  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
