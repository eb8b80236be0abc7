package hyperion.examples.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import hyperion.Context;
import hyperion.Hyperion;
import hyperion.Span;
import hyperion.caffeine.CaffeineModule;
import hyperion.config.Config;
import hyperion.config.ConfigException;
import hyperion.config.ConfigSections;
import hyperion.otel.OtelModule;
import hyperion.otel.TracingConfig;
import hyperion.prometheus.MetricsConfig;
import hyperion.prometheus.PrometheusModule;
import hyperion.redis.RedisConfig;
import hyperion.redis.RedisModule;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.LoopbackPorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every credential-bearing key, with a value planted, is never found in logs, stderr, {@code
 * toString}, {@code /health}, {@code /ready} or exported spans: with the right password, with a
 * wrong one, and when start-up fails.
 */
class SecretsNeverLeakTest {

  static final String REDIS_PASSWORD = "planted-Redis-Pw-7Q2";
  static final String HEADER_VALUE = "planted-Header-9X4";
  static final String ADDRESS_PASSWORD = "planted-Addr-Pw-3K8";
  static final List<String> PLANTED = List.of(REDIS_PASSWORD, HEADER_VALUE, ADDRESS_PASSWORD);

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream originalErr;

  @BeforeEach
  void capture() {
    Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);
    ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("hyperion.otel.spans")
        .setLevel(ch.qos.logback.classic.Level.INFO);
    originalErr = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void release() {
    System.setErr(originalErr);
    ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
        .detachAppender(logs);
  }

  private String yaml(RedisServers redis, String password, int adminPort) {
    return """
        service: { name: secrets }
        tracing:
          exporter: logging
          headers: { x-api-key: "%s" }
        redis:
          addresses: [%s]
          username: app
          password: "%s"
        admin: { port: %d, host: 127.0.0.1 }
        """.formatted(HEADER_VALUE, redis.addresses().get(0), password, adminPort);
  }

  @Test
  void aRunningServiceNeverShowsItsCredentials() throws Exception {
    try (RedisServers redis = RedisServers.standalone().withAclUser("app", REDIS_PASSWORD)) {
      redis.start();
      List<String> seen = new ArrayList<>();
      exercise(redis, REDIS_PASSWORD, seen::add, true);
      exercise(redis, "wrong-" + REDIS_PASSWORD, seen::add, false); // a refused login too
      assertThat(logs.list).as("the logging exporter's span lines are captured")
          .anySatisfy(ev -> assertThat(ev.getFormattedMessage()).contains("secrets.work"));
      assertNothingLeaks(seen);
    }
  }

  private void exercise(RedisServers redis, String password, Consumer<String> seen, boolean healthy)
      throws Exception {
    int adminPort = LoopbackPorts.free();
    Config config = Config.fromYaml(yaml(redis, password, adminPort));
    try (Hyperion app = Hyperion.start(config, new OtelModule(), new CaffeineModule(), new RedisModule(),
        new PrometheusModule())) {
      Context ctx = app.context();
      try (Span s = ctx.tracer().start("secrets.work")) {
        ctx.cache("users").put("1", "Ada");
        ctx.cache("users").get("1", String.class);
        s.setAttribute("config", config.toString());
      }
      ConfigSections sections = app.injector().getInstance(ConfigSections.class);
      seen.accept(config.toString());
      seen.accept(ctx.toString());
      seen.accept(sections.get(RedisConfig.SECTION).toString());
      seen.accept(sections.get(TracingConfig.SECTION).toString());
      seen.accept(sections.get(MetricsConfig.SECTION).toString());
      HttpClient http = HttpClient.newHttpClient();
      for (String path : List.of("/health", "/ready")) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
            .build(), HttpResponse.BodyHandlers.ofString());
        seen.accept(r.body());
        if (path.equals("/ready")) {
          assertThat(r.statusCode()).as("/ready " + r.body()).isEqualTo(healthy ? 200 : 503);
        }
      }
    }
  }

  @Test
  void aFailedStartUpNeverShowsTheCredentials() {
    ConfigException e = assertThrows(ConfigException.class, () -> Hyperion.start(Config.fromYaml("""
        tracing: { headers: { x-api-key: 12345678 } }
        redis:
          addresses: ["redis://bob:%s@127.0.0.1:1", "rediss://:%s@[::1]:6380"]
          pasword: "%s"
        """.formatted(ADDRESS_PASSWORD, ADDRESS_PASSWORD, REDIS_PASSWORD)), new OtelModule(), new RedisModule()));
    assertThat(e.getMessage())
        .contains("tracing.headers.x-api-key = '****'")
        .contains("redis.addresses[0] = 'redis://****@127.0.0.1:1'")
        .contains("redis.addresses[1] = 'rediss://****@[::1]:6380'")
        .contains("redis.pasword = '(unknown key)'")
        .contains("redis.addresses = '[redis://****@127.0.0.1:1, rediss://****@[::1]:6380]'")
        .doesNotContain("12345678");
    List<String> seen = new ArrayList<>(List.of(e.getMessage(), stackTrace(e)));
    assertNothingLeaks(seen);
  }

  private void assertNothingLeaks(List<String> seen) {
    List<String> all = new ArrayList<>(seen);
    for (ILoggingEvent event : logs.list) {
      all.add(event.getFormattedMessage());
      if (event.getThrowableProxy() != null) {
        all.add(ThrowableProxyUtil.asString(event.getThrowableProxy()));
      }
    }
    all.add(stderr.toString(StandardCharsets.UTF_8));
    for (String text : all) {
      for (String secret : PLANTED) {
        assertThat(text).doesNotContain(secret);
      }
    }
  }

  private static String stackTrace(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }
}
