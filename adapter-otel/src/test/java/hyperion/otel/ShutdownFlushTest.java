package hyperion.otel;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import hyperion.Component;
import hyperion.Hyperion;
import hyperion.Tracer;
import hyperion.config.Config;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * On stop the tracing SDK flushes within what the lifecycle left it, not within the whole {@code
 * service.shutdown_timeout}, and says how many spans a backend that never answers did not get.
 */
class ShutdownFlushTest {

  /** A component that takes {@code millis} to stop, using part of the deadline before tracing's turn. */
  static final class SlowToStop implements Component {
    private final long millis;

    SlowToStop(long millis) {
      this.millis = millis;
    }

    @Override
    public void start() {}

    @Override
    public void stop() throws InterruptedException {
      Thread.sleep(millis);
    }
  }

  @Test
  void aBackendThatNeverAnswersCostsTheFlushItsShareAndTheLogSaysWhatWasLost() throws Exception {
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            Socket s = blackHole.accept(); // reads nothing back, answers nothing
            accepted.add(s);
            InputStream in = s.getInputStream();
            Thread reader = new Thread(() -> {
              try {
                in.transferTo(OutputStream.nullOutputStream());
              } catch (Exception ignored) {
                // closed at the end of the test
              }
            });
            reader.setDaemon(true);
            reader.start();
          }
        } catch (Exception closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      String endpoint = "http://127.0.0.1:" + blackHole.getLocalPort() + "/api/v2/spans";
      // shutdown_timeout 2s: the slow component's share is 1 s and it uses 0.5 s, so tracing, last,
      // gets 1.5 s. Flushing within the whole 2 s (as before) overran that share: an unclean stop.
      Config config = Config.fromYaml("""
          service:
            name: flushing
            shutdown_timeout: 2s
          tracing:
            exporter: zipkin
            endpoint: %s
            timeout: 30s
            batch:
              delay: 1m
          """.formatted(endpoint));
      var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(OwnSdk.class);
      ListAppender<ILoggingEvent> logged = new ListAppender<>();
      logged.start();
      logger.addAppender(logged);
      try {
        Hyperion app = Hyperion.start(config, new OtelModule(), new AbstractModule() {
          @Override
          protected void configure() {
            Multibinder.newSetBinder(binder(), Component.class).addBinding().toInstance(new SlowToStop(500));
          }
        });
        Tracer tracer = app.injector().getInstance(Tracer.class);
        for (int i = 0; i < 10; i++) {
          tracer.start("never-delivered").close();
        }
        long start = System.nanoTime();
        boolean clean = app.stop();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("stop with a backend that never answers: " + millis + " ms, clean " + clean);
        assertThat(clean).as("tracing flushed within its share").isTrue();
        assertThat(millis).isLessThan(2000);
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).contains(
            "tracing: flush to zipkin " + endpoint + " incomplete at shutdown (timed out); 10 spans not delivered");
      } finally {
        logger.detachAppender(logged);
        for (Socket s : accepted) {
          s.close();
        }
      }
    }
  }
}
