package hyperion.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hyperion.admin.AdminConfig;
import hyperion.config.Config;
import hyperion.http.HttpConfig;
import hyperion.otel.TracingConfig;
import hyperion.redis.RedisConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

  @Test
  void defaultsAreTheEmbeddedAllInOneDemo() {
    DemoOptions o = DemoOptions.parse(new String[0], Map.of());
    assertThat(o.service()).isEqualTo("all");
    assertThat(o.redis()).as("the file's").isNull();
    assertThat(o.tracing()).as("the file's").isNull();
    assertThat(o.db().url()).isEmpty();
    assertThat(o.db().forService("users").url()).isEqualTo("jdbc:h2:mem:users;DB_CLOSE_DELAY=-1");
    assertThat(o.usersUrls()).containsExactly(URI.create("http://127.0.0.1:8081/"));
  }

  @Test
  void flagsWinOverDemoVariables() {
    DemoOptions o = DemoOptions.parse(new String[] {"--service", "gateway", "--users-url=http://a:1,http://b:2",
        "--gateway-ttl", "250ms"}, Map.of("DEMO_SERVICE", "users", "DEMO_JDBC_URL", "jdbc:postgresql://x/test",
        "DEMO_LOG_LEVEL", "DEBUG"));
    assertThat(o.service()).isEqualTo("gateway");
    assertThat(o.usersUrls()).containsExactly(URI.create("http://a:1/"), URI.create("http://b:2/"));
    assertThat(o.gatewayTtl()).isEqualTo(Duration.ofMillis(250));
    assertThat(o.db().forService("users").url()).isEqualTo("jdbc:postgresql://x/test");
  }

  @Test
  void badFlagsFailWithTheFlagAndWhatIsAllowed() {
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--service", "billing"}, Map.of()))
        .hasMessageContaining("--service: unrecognized value 'billing'; allowed: all, gateway, users, orders");
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--colour", "red"}, Map.of()))
        .hasMessageContaining("unknown option --colour");
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--port", "eighty"}, Map.of()))
        .hasMessageContaining("--port: 'eighty' is not a whole number");
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--tracing", "jeager"}, Map.of()))
        .hasMessageContaining("allowed: logging, zipkin, otlp, jaeger, none");
  }

  @Test
  void eachServiceIsItsOwnYamlFileWithTheFlagsGivenOverridingSingleKeys() {
    DemoOptions defaults = DemoOptions.parse(new String[0], Map.of());
    Config users = defaults.config("users", 0, 0, Map.of());
    assertThat(users.service().name()).isEqualTo("users");
    assertThat(users.section("http", HttpConfig.class, HttpConfig.DEFAULTS).port()).isEqualTo(8081);
    assertThat(users.section("admin", AdminConfig.class, AdminConfig.DEFAULTS).port()).isEqualTo(9465);
    assertThat(users.section("redis", RedisConfig.class, RedisConfig.DEFAULTS).addresses())
        .containsExactly("127.0.0.1:6379");
    assertThat(users.section("tracing", TracingConfig.class, TracingConfig.DEFAULTS).exporter())
        .isEqualTo(TracingConfig.Exporter.LOGGING);
    assertThat(defaults.config("gateway", 0, 0, Map.of()).raw("redis.addresses")).as("gateway: L1 only").isNull();
    // In all mode every service gets the one environment: the gateway, which has no Redis module,
    // must not get a redis section from it (an unknown section fails its start-up).
    Map<String, String> redisOverride = Map.of("HYPERION_REDIS__COMMAND_TIMEOUT", "1s");
    assertThat(defaults.config("gateway", 0, 0, redisOverride).isSet("redis")).isFalse();
    assertThat(defaults.config("users", 0, 0, redisOverride).raw("redis.command_timeout")).isEqualTo("1s");

    DemoOptions o = DemoOptions.parse(new String[] {"--tracing", "zipkin", "--tracing-endpoint",
        "http://127.0.0.1:9411/api/v2/spans", "--redis", "127.0.0.1:7000", "--shutdown-timeout", "7s"}, Map.of());
    Config c = o.config("users", 18081, 19465, Map.of("HYPERION_TRACING__SAMPLE_RATE", "0.5"));
    assertThat(c.service().shutdownTimeout()).isEqualTo(Duration.ofSeconds(7));
    TracingConfig t = c.section("tracing", TracingConfig.class, TracingConfig.DEFAULTS);
    assertThat(t.exporter()).isEqualTo(TracingConfig.Exporter.ZIPKIN);
    assertThat(t.endpoint()).isEqualTo("http://127.0.0.1:9411/api/v2/spans");
    assertThat(t.sampleRate()).isEqualTo(0.5);
    assertThat(c.section("http", HttpConfig.class, HttpConfig.DEFAULTS).port()).isEqualTo(18081);
    AdminConfig m = c.section("admin", AdminConfig.class, AdminConfig.DEFAULTS);
    assertThat(m.port()).isEqualTo(19465);
    assertThat(m.host()).isEqualTo("127.0.0.1");
    RedisConfig r = c.section("redis", RedisConfig.class, RedisConfig.DEFAULTS);
    assertThat(r.addresses()).isEqualTo(List.of("127.0.0.1:7000"));
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--redis", "none"}, Map.of()))
        .hasMessageContaining("--redis: 'none' is not HOST:PORT");
  }
}
