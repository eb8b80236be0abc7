package hyperion.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Hyperion;
import hyperion.Metrics;
import hyperion.Tracer;
import hyperion.config.Config;
import hyperion.http.HttpModule;
import hyperion.testkit.RecordingMetrics;
import hyperion.testkit.RecordingTracer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@link HttpQuickStart} (docs/http.md's example, checked by DocSnippetsTest) serves and relays traced requests. */
class HttpQuickStartTest {

  @Test
  void theExampleServesAndRelaysWithOneTraceAcrossTheHop() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    RecordingTracer tracer = new RecordingTracer();
    RecordingMetrics metrics = new RecordingMetrics();
    try (Hyperion app = Hyperion.start(Config.fromYaml("http:\n  port: " + port + "\n  host: 127.0.0.1\n"),
        new HttpModule(), new HttpQuickStart.GreetingModule(), new com.google.inject.AbstractModule() {
          @Override
          protected void configure() {
            com.google.inject.multibindings.OptionalBinder.newOptionalBinder(binder(), Tracer.class).setBinding()
                .toInstance(tracer);
            com.google.inject.multibindings.OptionalBinder.newOptionalBinder(binder(), Metrics.class).setBinding()
                .toInstance(metrics);
          }
        })) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/relay/ada")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).isEqualTo("relayed: hello ada");
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (tracer.finished().size() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(tracer.finished()).extracting(s -> s.name).containsExactlyInAnyOrder("GET /hello/{name}", "GET",
          "GET /relay/{name}");
      assertThat(tracer.finished()).extracting(s -> s.ids.traceId()).containsOnly(r.headers()
          .firstValue("X-Trace-Id").orElseThrow());
    }
  }
}
