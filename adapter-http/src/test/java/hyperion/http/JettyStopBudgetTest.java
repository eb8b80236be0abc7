package hyperion.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import hyperion.Component;
import hyperion.Hyperion;
import hyperion.config.Config;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/**
 * The HTTP server drains within the share of the shutdown deadline the lifecycle gives it, so a
 * request that outlives the drain is cut off and the stop is still clean.
 */
class JettyStopBudgetTest {

  /** A component with nothing to do, so that the server's share is a third of the deadline. */
  static final class Idle implements Component {
    private final String name;

    Idle(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void start() {}

    @Override
    public void stop() {}
  }

  @Test
  void aRequestLongerThanTheServersShareIsCutOffAndTheStopIsClean() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    CountDownLatch inHandler = new CountDownLatch(1);
    // shutdown_timeout 3s: the server drains for at most half of it (1.5 s) by configuration, but
    // with two more components to stop its share is 1 s; a drain past that was abandoned (unclean).
    Config config = Config.fromYaml("service:\n  name: stuck\n  shutdown_timeout: 3s\nhttp:\n  port: " + port
        + "\n  host: 127.0.0.1\n");
    Hyperion app = Hyperion.start(config, new HttpModule(), new AbstractModule() {
      @Override
      protected void configure() {
        Multibinder<Component> components = Multibinder.newSetBinder(binder(), Component.class);
        components.addBinding().toInstance(new Idle("idle-1"));
        components.addBinding().toInstance(new Idle("idle-2"));
      }

      @Provides
      Handler routes() {
        return new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) throws Exception {
            inHandler.countDown();
            Thread.sleep(10_000); // interrupted when the server gives up on it
            callback.succeeded();
            return true;
          }
        };
      }
    });
    CompletableFuture<HttpResponse<String>> stuck = HttpClient.newHttpClient().sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stuck")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(inHandler.await(5, TimeUnit.SECONDS)).isTrue();

    long start = System.nanoTime();
    boolean clean = app.stop();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.println("stop with a stuck request: " + millis + " ms, clean " + clean);
    assertThat(clean).as("the server stopped within its share").isTrue();
    assertThat(millis).as("the whole stop within shutdown_timeout").isLessThan(3000);
    assertThat(stuck.handle((r, e) -> e != null ? "cut off" : "status " + r.statusCode()).get(5, TimeUnit.SECONDS))
        .as("the stuck request").isNotEqualTo("status 200");
  }
}
