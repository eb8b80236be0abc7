package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Stage;
import hyperion.HyperionModule;
import hyperion.config.Config;
import hyperion.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Binding and validation of the {@code redis} section; no server needed. */
class RedisConfigTest {

  private static RedisConfig bind(String yaml) {
    return Config.fromYaml(yaml).section("redis", RedisConfig.class, RedisConfig.DEFAULTS);
  }

  @Test
  void defaults() {
    RedisConfig c = bind("");
    assertThat(c).isEqualTo(RedisConfig.DEFAULTS);
    assertThat(c.mode()).isEqualTo(RedisConfig.Mode.STANDALONE);
    assertThat(c.addresses()).containsExactly("127.0.0.1:6379");
    assertThat(c.commandTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.requestQueueSize()).isEqualTo(1000);
    assertThat(c.maxValueBytes()).isEqualTo(1024 * 1024);
    assertThat(c.tlsEnabled()).isFalse();
  }

  @Test
  void bindsEveryKey() {
    RedisConfig c = bind("""
        redis:
          mode: cluster
          addresses: [10.0.0.1:7000, "rediss://redis-b.internal:7001"]
          max_redirects: 3
          topology_refresh_period: 10s
          username: app
          password: s3cret
          tls_verify_peer: false
          tls_ca_file: /etc/ca.pem
          client_name: users-7
          connect_timeout: 1s
          command_timeout: 200ms
          request_queue_size: 64
          reconnect_delay_max: 1s
          key_prefix: "users:v2:"
          max_value_bytes: 4096
          invalidation_channel: users-inval
        """);
    assertThat(c.mode()).isEqualTo(RedisConfig.Mode.CLUSTER);
    assertThat(c.tlsEnabled()).isTrue();
    assertThat(c.host(1)).isEqualTo("redis-b.internal");
    assertThat(c.port(1)).isEqualTo(7001);
    assertThat(c.commandTimeout()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.keyPrefix()).isEqualTo("users:v2:");
    assertThat(c.invalidationChannel()).isEqualTo("users-inval");
  }

  @Test
  void environmentOverridesWin() {
    RedisConfig c = Config.fromYaml("redis:\n  command_timeout: 1s\n", Map.of("HYPERION_REDIS__COMMAND_TIMEOUT", "2s"))
        .section("redis", RedisConfig.class, RedisConfig.DEFAULTS);
    assertThat(c.commandTimeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void badValuesNameTheKey() {
    assertThatThrownBy(() -> bind("redis:\n  mode: clustre\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("redis.mode").hasMessageContaining("clustre").hasMessageContaining("cluster");
    assertThatThrownBy(() -> bind("redis:\n  command_timeout: 0ms\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("redis.command_timeout");
    assertThatThrownBy(() -> bind("redis:\n  mode: sentinel\n  addresses: [127.0.0.1:26379]\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("redis.master_name");
    assertThatThrownBy(() -> bind("redis:\n  mode: cluster\n  database: 2\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("redis.database");
    assertThatThrownBy(() -> bind("redis:\n  addresses: [a:1, b:2]\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("exactly one address");
    assertThatThrownBy(() -> bind("redis:\n  request_queue_size: 0\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("redis.request_queue_size");
    assertThatThrownBy(() -> bind("redis:\n  max_value_bytes: -1\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("redis.max_value_bytes");
    assertThatThrownBy(() -> bind("redis:\n  colour: red\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("redis.colour").hasMessageContaining("command_timeout");
    assertThatThrownBy(() -> bind("redis:\n  username: app\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("redis.password");
  }

  @Test
  void credentialsInAnAddressAreRefusedWithoutEchoingThemAsCredentials() {
    assertThatThrownBy(() -> bind("redis:\n  addresses: [\"redis://user:pw-x1@host:6379\"]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration: redis.addresses[0] = 'redis://****@host:6379': an address without "
            + "credentials; set them in redis.username and redis.password");
    assertThatThrownBy(() -> bind("redis:\n  addresses: [\"user:pw-x1@host:6379\"]\n"))
        .hasMessageContaining("'****@host:6379'").hasMessageNotContaining("pw-x1");
  }

  @Test
  void aNumericPasswordIsRefusedNotCoercedAndNeverShown() {
    assertThatThrownBy(() -> bind("redis:\n  password: 918273645\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration: redis.password = '****': a string; a YAML number is not taken as a "
            + "secret, quote it (e.g. '1234')");
    assertThat(bind("redis:\n  password: '918273645'\n").password().reveal()).isEqualTo("918273645");
  }

  @Test
  void toStringRedactsCredentials() {
    RedisConfig c = bind("redis:\n  username: app-user\n  password: hunter2-secret\n");
    assertThat(c.toString()).doesNotContain("hunter2-secret").doesNotContain("app-user").contains("password=****");
    assertThat(RedisConfig.DEFAULTS.toString()).contains("password=null");
  }

  @Test
  void aBadSectionFailsWhenTheInjectorIsBuilt() {
    Config config = Config.fromYaml("redis:\n  mode: nope\n");
    assertThatThrownBy(() -> Guice.createInjector(Stage.PRODUCTION, new HyperionModule(config), new RedisModule()))
        .hasStackTraceContaining("redis.mode");
  }

  @Test
  void modulesAreEqualByClass() {
    assertThat(new RedisModule()).isEqualTo(new RedisModule()).hasSameHashCodeAs(new RedisModule());
    // Installing it twice is harmless.
    Guice.createInjector(Stage.DEVELOPMENT, new HyperionModule(), new RedisModule(), new RedisModule());
  }

  @Test
  void globEscapingKeepsPatternsLiteral() {
    assertThat(RedisLayer.globEscape("svc*[a]?:")).isEqualTo("svc\\*\\[a\\]\\?:");
    assertThat(List.of("a")).hasSize(1);
  }
}
