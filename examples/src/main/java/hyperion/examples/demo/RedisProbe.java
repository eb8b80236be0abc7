package hyperion.examples.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A quick {@code PING} to decide, before start-up, whether Redis (L2) is there at all. */
final class RedisProbe {
  private RedisProbe() {}

  /** Whether {@code address} ({@code host:port}) answers a PING within {@code timeoutMillis}. */
  static boolean reachable(String address, int timeoutMillis) {
    String a = address.replaceFirst("^rediss?://", "");
    int colon = a.lastIndexOf(':');
    if (colon <= 0) {
      return false;
    }
    String host = a.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = Integer.parseInt(a.substring(colon + 1).replace("/", ""));
    } catch (NumberFormatException e) {
      return false;
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), timeoutMillis);
      s.setSoTimeout(timeoutMillis);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[64];
      int n = in.read(buf);
      String reply = n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
      // +PONG, or an error such as -NOAUTH: a Redis server is there either way.
      return reply.startsWith("+PONG") || reply.startsWith("-");
    } catch (IOException e) {
      return false;
    }
  }
}
