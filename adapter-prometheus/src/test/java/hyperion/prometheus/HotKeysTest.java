package hyperion.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.HyperionModule;
import hyperion.config.Config;
import hyperion.lifecycle.Lifecycle;
import hyperion.testkit.ZipfWorkload;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code hot_keys}: the admin server lists the head of a Zipf-distributed workload. */
class HotKeysTest {

  @Test
  void theAdminServerListsTheZipfHeadOfAWorkload() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String yaml = "admin:\n  host: 127.0.0.1\n  port: " + port + "\nmetrics:\n  collect_runtime: false\n"
        + "cache:\n  users:\n    hot_keys: 10\n  orders: {}\n";
    Injector injector = Guice.createInjector(Stage.PRODUCTION, new HyperionModule(Config.fromYaml(yaml)),
        new PrometheusModule());
    Lifecycle lifecycle = injector.getInstance(Lifecycle.class);
    lifecycle.start(Duration.ofSeconds(5));
    try {
      CacheManager caches = injector.getInstance(CacheManager.class);
      Cache users = caches.cache("users");
      caches.cache("orders").getIfPresent("o1", String.class); // no hot_keys: not listed
      new ZipfWorkload(42).run(users);

      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/cache/hotkeys")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      System.out.println("hot keys: " + r.body());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
      JsonNode body = new ObjectMapper().readTree(r.body());
      assertThat(body.has("orders")).isFalse();
      List<String> listed = new ArrayList<>();
      List<Long> requests = new ArrayList<>();
      body.get("users").forEach(e -> {
        listed.add(e.get("key").asText());
        requests.add(e.get("requests").asLong());
      });
      assertThat(listed).hasSize(10);
      assertThat(requests).isSortedAccordingTo((a, b) -> Long.compare(b, a));
      ZipfWorkload.assertHeads(listed);
      // Sampled lookups (at most 128 a millisecond, and counts halve over time): below the total.
      assertThat(requests.get(0)).isPositive().isLessThan(ZipfWorkload.LOOKUPS);
    } finally {
      lifecycle.stop(Duration.ofSeconds(5));
    }
  }
}
