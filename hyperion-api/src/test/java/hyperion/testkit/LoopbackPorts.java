package hyperion.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for the servers tests start, chosen below the kernel's ephemeral port range.
 *
 * <p>Why below it: a test that frees a port to take it again (a server killed and restarted, a
 * {@link TcpProxy} that drops and heals) must find it still free. A port inside the ephemeral
 * range can meanwhile become the local port of an outgoing connection from any process on the
 * machine, and while that connection or its TIME_WAIT lasts, the restart fails with "Address
 * already in use". The kernel never hands out ports below the range for outgoing connections.
 * Each port is handed out once per JVM.
 */
public final class LoopbackPorts {

  /** Where candidates start: above the common fixed service ports (PostgreSQL, Redis, 8080). */
  private static final int FIRST = 10_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private LoopbackPorts() {}

  /**
   * A loopback port nothing listened on when this returned, not handed out before by this JVM,
   * below the ephemeral range when the machine leaves room for one there.
   *
   * @throws IllegalStateException if no free port was found in 1,000 tries
   */
  public static int free() {
    int end = ephemeralStart();
    for (int i = 0; i < 1_000; i++) {
      int port = end > FIRST + 1_000 ? ThreadLocalRandom.current().nextInt(FIRST, end) : 0;
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        if (HANDED_OUT.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      } catch (IOException e) {
        // taken: try another
      }
    }
    throw new IllegalStateException("no free loopback port below " + end + " in 1,000 tries");
  }

  /** The first port of Linux's ephemeral range, or its default when the file cannot be read. */
  private static int ephemeralStart() {
    try {
      // readAllLines, not readString: procfs reports a size of 0, and readString then reads 1 byte
      String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
