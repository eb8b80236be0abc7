package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.config.Config;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The L2 path does not pin virtual threads: 1,000 virtual threads call {@code getOrLoad} while
 * Redis is hung (SIGSTOP), each waiting {@code l2_timeout} for its L2 read, and JFR records no
 * {@code jdk.VirtualThreadPinned} event (threshold 0) from them. Pinned, they would hold the two
 * carriers for 200 ms each, 100 s in all; unpinned, they all wait at once. A control first shows
 * the JFR stream does see a thread pinned in a class initializer.
 *
 * <p>Compiled and run only on JDK 21+ (the {@code jdk21} profile of this module): see the JDK 25
 * command in README.md.
 */
class VirtualThreadsTest {

  @RegisterExtension
  static final RedisServers REDIS = RedisServers.standalone();

  static final Duration L2_TIMEOUT = Duration.ofMillis(200);
  static final int THREADS = 1_000;

  /** Parks in its static initializer: a virtual thread running it is pinned (a VM frame on its stack). */
  static final class ParksWhileInitializing {
    static {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }

    static void touch() {}
  }

  @Test
  void getOrLoadFromAThousandVirtualThreadsWithRedisHungPinsNoCarrier() throws Exception {
    ConcurrentLinkedQueue<RecordedEvent> pinned = new ConcurrentLinkedQueue<>();
    try (RecordingStream jfr = new RecordingStream()) {
      jfr.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
      jfr.onEvent("jdk.VirtualThreadPinned", pinned::add);
      jfr.startAsync();

      // The control: JFR sees a pinned virtual thread.
      Thread control = Thread.ofVirtual().name("control").start(ParksWhileInitializing::touch);
      control.join();
      awaitEvents();
      assertThat(pinned).as("the control pinned its carrier and JFR saw it").isNotEmpty();
      pinned.clear();

      RedisNode server = REDIS.nodes().get(0);
      String yaml = """
          redis:
            addresses: ["%s"]
            command_timeout: 2s
          cache:
            default:
              l2_timeout: %dms
              breaker_failures: 1000000
          """.formatted(server.address(), L2_TIMEOUT.toMillis());
      try (Hyperion app = Hyperion.start(Config.fromYaml(yaml), new CaffeineModule(), new RedisModule())) {
        Cache cache = app.context().cache("vt");
        cache.put("warm", "up"); // the connection is up before Redis hangs
        assertThat(cache.get("warm", String.class)).hasValue("up");
        server.pause();
        try {
          long t0 = System.nanoTime();
          List<Future<String>> results = new ArrayList<>();
          try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < THREADS; i++) {
              String key = "k" + i;
              results.add(vts.submit(() -> cache.getOrLoad(key, String.class, null, k -> "loaded " + k)));
            }
          } // waits for all
          Duration took = Duration.ofNanos(System.nanoTime() - t0);
          for (int i = 0; i < THREADS; i++) {
            assertThat(results.get(i).get()).isEqualTo("loaded k" + i);
          }
          System.out.printf("%d virtual threads, getOrLoad with Redis hung: all done in %d ms%n", THREADS,
              took.toMillis());
          // Pinned, the waits would run two at a time: 1000 x 200 ms / 2 carriers = 100 s.
          assertThat(took).as("all waits overlapped").isLessThan(Duration.ofSeconds(20));
        } finally {
          server.resume();
        }
      }
      awaitEvents();
      assertThat(pinned).as("jdk.VirtualThreadPinned events of the getOrLoad threads:%n%s", describe(pinned))
          .isEmpty();
    }
  }

  /** Lets the stream deliver what was recorded so far. */
  private static void awaitEvents() throws InterruptedException {
    Thread.sleep(1500); // the stream flushes about once a second
  }

  private static String describe(ConcurrentLinkedQueue<RecordedEvent> events) {
    StringBuilder b = new StringBuilder();
    events.stream().limit(3).forEach(e -> b.append(e).append('\n'));
    return b.toString();
  }
}
