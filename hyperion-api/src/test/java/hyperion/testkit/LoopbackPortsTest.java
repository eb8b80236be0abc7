package hyperion.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class LoopbackPortsTest {

  @Test
  @EnabledOnOs(OS.LINUX)
  void portsAreBelowTheEphemeralRangeAndNeverHandedOutTwice() throws IOException {
    int ephemeralStart = Integer.parseInt(
        Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int port = LoopbackPorts.free();
      assertThat(port).isBetween(1024, ephemeralStart - 1);
      assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
    }
  }
}
