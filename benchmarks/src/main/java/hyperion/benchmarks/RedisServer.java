package hyperion.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of our own on a free loopback port, without persistence, for the L2 suite.
 * Never touches a server someone else runs (such as 127.0.0.1:6379).
 */
public final class RedisServer implements AutoCloseable {
  /** The system property that hands the port to forked benchmark JVMs. */
  public static final String PORT_PROPERTY = "hyperion.bench.redis.port";

  private final Process process;
  private final int port;
  private final Path dir;

  private RedisServer(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Starts {@code redis-server} (from PATH) and waits until it answers PING. */
  public static RedisServer start() throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path dir = Files.createTempDirectory("hyperion-bench-redis");
    Process p = new ProcessBuilder(List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "yes"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    RedisServer server = new RedisServer(p, port, dir);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
      }
      if (server.ping()) {
        return server;
      }
      Thread.sleep(50);
    }
    server.close();
    throw new IOException("redis-server did not answer PING on port " + port + " within 10 s");
  }

  /**
   * The server a benchmark JVM uses: {@code null} when the runner handed one over ({@link
   * #PORT_PROPERTY}), else one started for this JVM, which the caller closes.
   */
  public static RedisServer startUnlessHandedOver() throws IOException, InterruptedException {
    return System.getProperty(PORT_PROPERTY) == null ? start() : null;
  }

  /** The port of {@code own} (from {@link #startUnlessHandedOver}), or of the server handed over. */
  public static int portOf(RedisServer own) {
    return own != null ? own.port() : Integer.parseInt(System.getProperty(PORT_PROPERTY));
  }

  /** Whether {@code redis-server} is on the PATH. */
  public static boolean available() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, "redis-server"))) {
        return true;
      }
    }
    return false;
  }

  private boolean ping() {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[7];
      int n = in.read(buf);
      return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  /** The loopback port it listens on. */
  public int port() {
    return port;
  }

  /** Stops the server (and waits for it). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }
}
