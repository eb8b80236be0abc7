package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.redis.testkit.RedisNode;
import hyperion.testkit.RecordingMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The staleness bound under a real network partition. Redis runs in a network namespace this test
 * makes, reachable over two veth links: instance A (Caffeine L1 + Redis, its own injector) uses
 * 10.x.1.2, instance B 10.x.2.2; both instances run in this JVM. A's link is cut silently ({@code ip
 * link set down} on A's veth: no RST or FIN, TCP notices nothing for minutes) for {@value #CUT_SECONDS} s while B keeps
 * writing. Every read on A and every acknowledged write on B is recorded; afterwards the maximum
 * staleness (how long after a write was acknowledged A still returned an older value) must not
 * exceed the documented bound, {@code coherence_timeout + command_timeout}, and is printed.
 *
 * <p>Needs root and {@code ip} (skipped otherwise). The namespace and veths have unique
 * names and are removed in {@link #removeNetwork()}, and by a shutdown hook if the JVM dies first.
 * The coherence mode is the parameter.
 */
class PartitionStalenessTest {
  static final int CUT_SECONDS = 5;
  static final Duration COHERENCE_TIMEOUT = Duration.ofSeconds(3);
  static final Duration COMMAND_TIMEOUT = Duration.ofMillis(300);
  static final int KEYS = 4;

  static final String ID = Long.toString(ProcessHandle.current().pid() % 100_000, 36)
      + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
  static final String NS = "hyp-part-" + ID;
  static final String VETH_A = "hpa" + ID;
  static final String VETH_B = "hpb" + ID;
  static int subnet;
  static Process redis;
  static Path dir;
  static boolean made;
  static final Thread CLEANUP = new Thread(PartitionStalenessTest::cleanUp);

  /** A read on A: key, the version it returned (-1: none), when it began and ended. */
  record Read(int key, long version, long start, long end) {}

  /** A write B had acknowledged: key, version, when put returned. */
  record Write(int key, long version, long acked) {}

  @BeforeAll
  static void makeNetwork() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "PartitionStalenessTest needs root to make a network namespace; skipped");
    Assumptions.assumeTrue(run(false, "ip", "netns", "list") == 0,
        "PartitionStalenessTest needs the ip command (iproute2); skipped");
    subnet = freeSubnet();
    Runtime.getRuntime().addShutdownHook(CLEANUP);
    made = true;
    Assumptions.assumeTrue(run(false, "ip", "netns", "add", NS) == 0,
        "PartitionStalenessTest cannot make a network namespace here; skipped");
    link(VETH_A, 1);
    link(VETH_B, 2);
    run(true, "ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up");
    dir = Files.createTempDirectory("hyperion-partition");
    redis = new ProcessBuilder("ip", "netns", "exec", NS, "redis-server", "--port", "6379", "--bind",
        redisAddress(1), redisAddress(2), "--protected-mode", "no", "--save", "", "--appendonly", "no", "--dir",
        dir.toString()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
    RedisNode.await("redis-server in " + NS, Duration.ofSeconds(10), () -> {
      try {
        return run(false, "ip", "netns", "exec", NS, "redis-cli", "-h", redisAddress(1), "ping") == 0;
      } catch (Exception e) {
        return false;
      }
    });
  }

  /** A veth pair: {@code name} in the root namespace (10.x.n.1), its peer in {@link #NS} (10.x.n.2). */
  static void link(String name, int n) throws Exception {
    String peer = name + "p";
    run(true, "ip", "link", "add", name, "type", "veth", "peer", "name", peer);
    run(true, "ip", "link", "set", peer, "netns", NS);
    run(true, "ip", "addr", "add", "10." + subnet + "." + n + ".1/24", "dev", name);
    run(true, "ip", "link", "set", name, "up");
    run(true, "ip", "netns", "exec", NS, "ip", "addr", "add", redisAddress(n) + "/24", "dev", peer);
    run(true, "ip", "netns", "exec", NS, "ip", "link", "set", peer, "up");
  }

  static String redisAddress(int n) {
    return "10." + subnet + "." + n + ".2";
  }

  /** A 10.x.0.0/16 no interface of this machine uses yet. */
  static int freeSubnet() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("ip", "-o", "addr").redirectErrorStream(true).start();
    String addrs = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    for (int i = 0; i < 100; i++) {
      int x = 100 + ThreadLocalRandom.current().nextInt(150);
      if (!addrs.contains(" 10." + x + ".")) {
        return x;
      }
    }
    throw new IllegalStateException("no free 10.x.0.0/16");
  }

  @AfterAll
  static void removeNetwork() {
    cleanUp();
    try {
      Runtime.getRuntime().removeShutdownHook(CLEANUP);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // shutting down, or never added
    }
  }

  static synchronized void cleanUp() {
    if (redis != null) {
      redis.destroyForcibly();
      try {
        redis.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      redis = null;
    }
    if (made) {
      made = false;
      try {
        run(false, "ip", "link", "del", VETH_A); // deletes the peer too
        run(false, "ip", "link", "del", VETH_B);
        run(false, "ip", "netns", "del", NS);
      } catch (Exception e) {
        System.err.println("PartitionStalenessTest: cleaning up " + NS + " failed: " + e);
      }
    }
  }

  /** Runs a command; with {@code check} a non-zero exit fails. Returns the exit code. */
  static int run(boolean check, String... cmd) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      if (check) {
        throw e;
      }
      return -1;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + String.join(" ", cmd));
    }
    if (check && p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
    }
    return p.exitValue();
  }

  /**
   * Takes A's link down ({@code cut}) or up again. Nothing is sent to either side: no FIN, no RST; A's
   * TCP retransmits into a missing route and Redis's into a link without carrier, so both keep their
   * connections open as in a partition (TCP gives up only after minutes). Up again, the connected
   * route comes back and the retransmissions get through.
   */
  static void cutA(boolean cut) throws Exception {
    run(true, "ip", "link", "set", VETH_A, cut ? "down" : "up");
  }

  static Hyperion instance(String mode, String address, RecordingMetrics metrics) {
    String yaml = "service:\n  name: partition\nredis:\n  addresses: [\"" + address + ":6379\"]\n"
        + "  coherence: " + mode + "\n  coherence_timeout: " + COHERENCE_TIMEOUT.toMillis() + "ms\n"
        + "  command_timeout: " + COMMAND_TIMEOUT.toMillis() + "ms\n  connect_timeout: 1s\n"
        + "  reconnect_delay_max: 500ms\ncache:\n  default:\n    l2_timeout: 300ms\n    breaker_cooldown: 200ms\n";
    return RedisTesting.start(yaml, metrics, new CaffeineModule());
  }

  @ParameterizedTest
  @ValueSource(strings = {"pubsub", "tracking"})
  void aPartitionedInstanceServesNothingOlderThanTheBoundAllows(String mode) throws Exception {
    RecordingMetrics metricsA = new RecordingMetrics();
    try (Hyperion a = instance(mode, redisAddress(1), metricsA);
        Hyperion b = instance(mode, redisAddress(2), null)) {
      Cache cacheA = a.injector().getInstance(CacheManager.class).cache("rows");
      Cache cacheB = b.injector().getInstance(CacheManager.class).cache("rows");
      RedisNode.await("A's bus up", Duration.ofSeconds(10),
          () -> metricsA.value("hyperion_redis_invalidation_bus_up", mode) == 1);

      List<Write> writes = new ArrayList<>();
      List<Read> reads = new ArrayList<>();
      long[] version = new long[KEYS];
      for (int k = 0; k < KEYS; k++) {
        cacheB.put("r" + k, "0");
        writes.add(new Write(k, 0, System.nanoTime()));
      }
      Thread reader = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          for (int k = 0; k < KEYS; k++) {
            long start = System.nanoTime();
            Optional<String> v = cacheA.get("r" + k, String.class);
            reads.add(new Read(k, v.map(Long::parseLong).orElse(-1L), start, System.nanoTime()));
          }
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "reader-A");
      reader.start();
      long cutAt = 0;
      long healedAt = 0;
      try {
        long t0 = System.nanoTime();
        long end = Long.MAX_VALUE;
        int round = 0;
        while (System.nanoTime() < end) {
          long now = System.nanoTime() - t0;
          if (cutAt == 0 && now > TimeUnit.SECONDS.toNanos(2)) {
            cutA(true);
            cutAt = System.nanoTime();
          } else if (cutAt != 0 && healedAt == 0 && System.nanoTime() - cutAt > TimeUnit.SECONDS.toNanos(CUT_SECONDS)) {
            cutA(false);
            healedAt = System.nanoTime();
          } else if (healedAt != 0 && end == Long.MAX_VALUE
              && metricsA.value("hyperion_redis_invalidation_bus_up", mode) == 1) {
            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2); // a little more after recovery
          }
          assertThat(Duration.ofNanos(now)).as("A recovers after the cut").isLessThan(Duration.ofSeconds(30));
          int k = round++ % KEYS;
          cacheB.put("r" + k, Long.toString(++version[k]));
          writes.add(new Write(k, version[k], System.nanoTime()));
          Thread.sleep(50);
        }
      } finally {
        if (cutAt != 0 && healedAt == 0) {
          cutA(false);
        }
        reader.interrupt();
        reader.join(5000);
      }

      // The worst staleness: for each read, the earliest write newer than what it returned that was
      // acknowledged before the read began; the read's end minus that acknowledgement.
      long worst = 0;
      int staleReads = 0;
      for (Read r : reads) {
        if (r.version() < 0) {
          continue; // a miss (L2 unreachable) is not an old value
        }
        for (Write w : writes) {
          if (w.key() == r.key() && w.version() == r.version() + 1 && w.acked() < r.start()) {
            worst = Math.max(worst, r.end() - w.acked());
            staleReads++;
          }
        }
      }
      Duration bound = COHERENCE_TIMEOUT.plus(COMMAND_TIMEOUT);
      System.out.printf("partition (%s): %d reads on A, %d writes on B, link cut %d s, recovered %d ms after; "
              + "%d stale reads, maximum staleness %d ms (bound %d ms); L1 clears by timeout: %.0f%n", mode,
          reads.size(), writes.size(), CUT_SECONDS,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healedAt), staleReads,
          TimeUnit.NANOSECONDS.toMillis(worst), bound.toMillis(),
          metricsA.value("hyperion_redis_l1_clears_total", mode, "timeout"));
      assertThat(reads).hasSizeGreaterThan(1000);
      assertThat(metricsA.value("hyperion_redis_l1_clears_total", mode, "timeout")).isEqualTo(1);
      assertThat(staleReads).as("the cut made A serve old values for a while").isPositive();
      assertThat(Duration.ofNanos(worst)).as("maximum staleness").isLessThanOrEqualTo(bound);
      // After recovery A reads what B wrote last.
      for (int k = 0; k < KEYS; k++) {
        int key = k;
        RedisNode.await("A to read B's last write", Duration.ofSeconds(5),
            () -> cacheA.get("r" + key, String.class).equals(Optional.of(Long.toString(version[key]))));
      }
    }
  }
}
