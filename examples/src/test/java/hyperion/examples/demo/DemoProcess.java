package hyperion.examples.demo;

import hyperion.testkit.LoopbackPorts;
import java.io.IOException;
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

/** One demo service as a real child JVM ({@link DemoMain} with {@code --service}). */
final class DemoProcess {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
      .version(HttpClient.Version.HTTP_1_1).build();

  final String name;
  final int port;
  final int adminPort;
  final Path log;
  private final Process process;
  private final String service;
  private final Map<String, String> env;
  private final String[] args;

  private DemoProcess(String name, int port, int adminPort, Path log, Process process, String service,
      Map<String, String> env, String[] args) {
    this.name = name;
    this.port = port;
    this.adminPort = adminPort;
    this.log = log;
    this.process = process;
    this.service = service;
    this.env = env;
    this.args = args;
  }

  /** Starts {@code DemoMain --service <service>} with {@code args}; does not wait for readiness. */
  static DemoProcess start(String name, String service, Map<String, String> env, String... args) throws IOException {
    int port = LoopbackPorts.free();
    int admin = LoopbackPorts.free();
    Path dir = Path.of("target", "e2e-logs");
    Files.createDirectories(dir);
    Path log = dir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx160m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), DemoMain.class.getName(),
        "--service", service, "--port", Integer.toString(port), "--admin-port", Integer.toString(admin)));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return new DemoProcess(name, port, admin, log, pb.start(), service, env, args);
  }

  /**
   * Waits until the admin server's {@code /ready} answers 200 and the HTTP port accepts requests.
   * Free ports are picked before the child binds them, so on a busy machine another process can
   * take one first: then the service is started again on other ports, and that instance returned.
   */
  DemoProcess awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String output = Files.readString(log);
        if (output.contains("Address already in use")) {
          return start(name, service, env, args).awaitReady(Duration.ofNanos(deadline - System.nanoTime()));
        }
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + output);
      }
      try {
        if (get(URI.create("http://127.0.0.1:" + adminPort + "/ready")).statusCode() == 200
            && get(url("/no-such-route")).statusCode() == 404) {
          return this;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + " not ready in " + timeout + ":\n" + Files.readString(log));
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** Sends SIGTERM and waits for the exit status. */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy(); // SIGTERM on Linux
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      return -1;
    }
    return process.exitValue();
  }

  void kill() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> send(String method, URI uri, String json) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The java launcher of the running JVM, for child processes. */
  static String javaBin() {
    return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
