package hyperion.examples.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus ({@code /usr/bin/prometheus}, Debian's package) on a free loopback port with
 * the given configuration, for tests; stopped by {@link #close()} (by its own process handle).
 */
public final class PrometheusServer implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Process process;
  private final URI api;

  private PrometheusServer(Process process, URI api) {
    this.process = process;
    this.api = api;
  }

  /** Starts Prometheus with {@code config} (YAML) in {@code dir}; fails the test if it is not installed. */
  public static PrometheusServer start(Path dir, String config) throws IOException {
    Path binary = Path.of("/usr/bin/prometheus");
    if (!Files.isExecutable(binary)) {
      fail("prometheus is not installed: apt-get install prometheus (.ci/run installs it)");
    }
    Files.writeString(dir.resolve("prometheus.yml"), config);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process p = new ProcessBuilder(binary.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    return new PrometheusServer(p, URI.create("http://127.0.0.1:" + port + "/api/v1/"));
  }

  /** The {@code data.result} of an instant query; an {@link IOException} while it is not listening yet. */
  public JsonNode query(String promql) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(api.resolve("query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("query " + promql + " answered " + r.statusCode() + ": " + r.body());
    }
    return DeployAssets.JSON.readTree(r.body()).path("data").path("result");
  }

  /** Waits until {@code count(up == 1)} is {@code targets}, up to {@code timeout}. */
  public void awaitUp(int targets, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (query("count(up == 1)").path(0).path("value").path(1).asInt() == targets) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        fail("Prometheus did not scrape " + targets + " targets within " + timeout);
      }
      Thread.sleep(500);
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
