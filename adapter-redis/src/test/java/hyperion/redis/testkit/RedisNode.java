package hyperion.redis.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * One {@code redis-server} process (a data node or a Sentinel) on a loopback port, in its own
 * directory. It can be killed with SIGKILL and restarted on the same port with the same files,
 * and it answers simple commands through a tiny built-in RESP client ({@link #call}).
 */
public final class RedisNode {

  /** An error reply ({@code -ERR ...}) from the server. */
  public static final class ErrorReply extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ErrorReply(String message) {
      super(message);
    }
  }

  private final String role;
  private final Path dir;
  private final List<String> args;
  private final int port;
  private final String user;
  private final String password;
  private final SSLContext tls;
  private volatile Process process;

  RedisNode(String role, Path dir, int port, List<String> args, String user, String password, SSLContext tls) {
    this.role = role;
    this.dir = dir;
    this.port = port;
    this.args = List.copyOf(args);
    this.user = user;
    this.password = password;
    this.tls = tls;
  }

  /** {@code master}, {@code replica}, {@code sentinel}, {@code node}: how the node was started. */
  public String role() {
    return role;
  }

  /** The loopback port the node listens on. */
  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:<port>}. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** The node's working directory (config, logs, cluster state). */
  public Path dir() {
    return dir;
  }

  /** Whether the process is running. */
  public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** Starts the process and waits until it answers on its port. */
  public synchronized void start() {
    if (isAlive()) {
      return;
    }
    try {
      ProcessBuilder pb = new ProcessBuilder(args).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()));
      process = pb.start();
      RedisServers.track(process);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run redis-server (is it on PATH?): " + e, e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(role + " on port " + port + " exited with " + process.exitValue() + ": "
            + tail());
      }
      try {
        call("PING");
        return;
      } catch (ErrorReply e) {
        return; // answering (e.g. NOAUTH, LOADING) is enough
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(role + " on port " + port + " did not answer: " + tail(), e);
        }
        sleep(20);
      }
    }
  }

  /**
   * Stops the process with SIGSTOP: its connections stay open but nothing is answered, like a
   * server that hangs. {@link #resume()} continues it.
   */
  public synchronized void pause() {
    signal("STOP");
  }

  /** Continues a {@link #pause() paused} process (SIGCONT). */
  public synchronized void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(role + " on port " + port + " is not running");
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + p.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("kill -" + name + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Kills the process with SIGKILL (no shutdown, no save) and waits for it to be gone. */
  public synchronized void kill() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts the node again after {@link #kill()}, on the same port with the same files. */
  public void restart() {
    kill();
    start();
  }

  /** Sends a command with string or {@code byte[]} arguments and returns the decoded reply. */
  public Object call(Object... command) {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      if (password != null && !role.equals("sentinel")) {
        write(out, user == null ? new Object[] {"AUTH", password} : new Object[] {"AUTH", user, password});
        read(in);
      }
      write(out, command);
      return read(in);
    } catch (IOException e) {
      throw new IllegalStateException("redis " + address() + ": " + e, e);
    }
  }

  /** {@link #call} for a reply that is a string (simple or bulk), or {@code null}. */
  public String callString(Object... command) {
    Object r = call(command);
    return r == null ? null : r instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(r);
  }

  /** A field of {@code INFO <section>}, or {@code null}. */
  public String info(String section, String field) {
    for (String line : callString("INFO", section).split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1);
      }
    }
    return null;
  }

  private Socket connect() throws IOException {
    Socket s = tls != null ? tls.getSocketFactory().createSocket() : new Socket();
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
    s.setSoTimeout(5000);
    return s;
  }

  private static void write(OutputStream out, Object... command) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(("*" + command.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (Object arg : command) {
      byte[] bytes = arg instanceof byte[] raw ? raw : String.valueOf(arg).getBytes(StandardCharsets.UTF_8);
      b.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      b.write(bytes);
      b.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.write(b.toByteArray());
    out.flush();
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = line(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new ErrorReply(line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        byte[] data = in.readNBytes(n);
        line(in);
        return data;
      }
      case '*': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          try {
            items.add(read(in));
          } catch (ErrorReply e) {
            items.add(e);
          }
        }
        return items;
      }
      case -1:
        throw new IOException("connection closed");
      default:
        throw new IOException("unexpected RESP type '" + (char) type + "'");
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\r') {
        in.read();
        break;
      }
      sb.append((char) c);
    }
    return sb.toString();
  }

  /** The last lines of the node's log, for failure messages. */
  String tail() {
    try {
      Path log = dir.resolve("redis.log");
      Path file = Files.exists(log) ? log : dir.resolve("stdout.log");
      List<String> lines = Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Polls {@code condition} every 50 ms until it holds; fails after {@code timeout}. */
  public static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      sleep(50);
    }
    throw new IllegalStateException("timed out after " + timeout + " waiting for " + what, last);
  }

  @Override
  public String toString() {
    return role + "@" + address();
  }
}
