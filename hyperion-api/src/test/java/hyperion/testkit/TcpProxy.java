package hyperion.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy that injects network faults between a client and a server, for failure
 * tests against real servers: {@link #delay} every chunk, {@link #blackhole} (connections stay
 * open, nothing gets through until {@link #heal}: a hung server or a partition, where TCP holds
 * the bytes rather than losing them, so the stream stays intact), {@link #reset} (every
 * connection gets a TCP RST) and {@link #drop} (connections are closed and new ones refused, like
 * a server that went away). {@link #heal} restores normal forwarding.
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.to("127.0.0.1", redisPort)) {
 *   // point the client at 127.0.0.1:proxy.port()
 *   proxy.blackhole();
 * }
 * }</pre>
 */
public final class TcpProxy implements AutoCloseable {

  private final InetSocketAddress target;
  private final int port;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;
  private volatile long delayNanos;
  private volatile boolean blackhole;
  private volatile boolean closed;

  private TcpProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.server = listenOnAFreePort();
    this.port = server.getLocalPort();
    acceptOn(server);
  }

  /** A proxy on a free loopback port forwarding to {@code host:port}. */
  public static TcpProxy to(String host, int port) throws IOException {
    return new TcpProxy(new InetSocketAddress(host, port));
  }

  /** The loopback port clients connect to. */
  public int port() {
    return port;
  }

  /** Forwards every chunk {@code d} late, in both directions (order is kept). */
  public void delay(Duration d) {
    delayNanos = d.toNanos();
  }

  /** Keeps connections open but lets nothing through, in either direction, until {@link #heal()}. */
  public void blackhole() {
    blackhole = true;
  }

  /** Sends a TCP RST on every open connection (both sides). New connections are accepted. */
  public void reset() {
    for (Link l : links) {
      l.close(true);
    }
  }

  /** Closes every connection and refuses new ones until {@link #heal()}. */
  public synchronized void drop() throws IOException {
    ServerSocket s = server;
    server = null;
    if (s != null) {
      s.close();
    }
    for (Link l : links) {
      l.close(false);
    }
  }

  /** Back to plain forwarding: no delay, no blackhole, accepting again on the same port. */
  public synchronized void heal() throws IOException {
    delayNanos = 0;
    blackhole = false;
    if (server == null && !closed) {
      server = listen(port);
      acceptOn(server);
    }
  }

  /** Number of client connections currently open through the proxy. */
  public int connections() {
    return links.size();
  }

  @Override
  public synchronized void close() throws IOException {
    closed = true;
    drop();
  }

  /** Below the ephemeral range, so that the port is still free when {@link #heal()} takes it again. */
  private static ServerSocket listenOnAFreePort() throws IOException {
    IOException last = null;
    for (int i = 0; i < 10; i++) {
      try {
        return listen(LoopbackPorts.free());
      } catch (IOException e) {
        last = e; // taken between the check and the bind
      }
    }
    throw last;
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return s;
  }

  private void acceptOn(ServerSocket s) {
    daemon("tcp-proxy-accept-" + port, () -> {
      while (!s.isClosed()) {
        try {
          Socket client = s.accept();
          client.setTcpNoDelay(true);
          Socket upstream = new Socket();
          try {
            upstream.connect(target, 2_000);
            upstream.setTcpNoDelay(true);
          } catch (IOException e) {
            client.close(); // the server is down: so is the proxy's side of it
            continue;
          }
          Link link = new Link(client, upstream);
          links.add(link);
          if (server != s) {
            link.close(false); // accepted while drop() ran, after it closed the links
            continue;
          }
          daemon("tcp-proxy-up-" + port, () -> link.pump(client, upstream));
          daemon("tcp-proxy-down-" + port, () -> link.pump(upstream, client));
        } catch (IOException e) {
          return; // closed
        }
      }
    });
  }

  private static void daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  /** One proxied connection: the client's socket and the proxy's socket to the server. */
  private final class Link {
    final Socket client;
    final Socket upstream;

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void pump(Socket from, Socket to) {
      byte[] buf = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          while (blackhole && !from.isClosed()) {
            Thread.sleep(5); // held, not lost: TCP would retransmit, not drop bytes mid-stream
          }
          long d = delayNanos;
          if (d > 0) {
            Thread.sleep(d / 1_000_000, (int) (d % 1_000_000));
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // closed or reset: fall through
      } finally {
        close(false);
      }
    }

    void close(boolean rst) {
      links.remove(this);
      for (Socket s : new Socket[] {client, upstream}) {
        try {
          if (rst && !s.isClosed()) {
            s.setSoLinger(true, 0); // close() then sends RST instead of FIN
          }
          s.close();
        } catch (SocketException e) {
          // already closed
        } catch (IOException e) {
          // nothing more to do
        }
      }
    }
  }
}
