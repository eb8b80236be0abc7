package hyperion.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

  /** A section shaped like an adapter's, to test binding of nested records, enums, lists and maps. */
  record Sample(Mode mode, Duration timeout, int retries, Inner inner, List<String> nodes, Map<String, String> tags) {
    enum Mode { STANDALONE, CLUSTER }

    record Inner(String host, int port) {
      Inner {
        ConfigException.require(port > 0 && port < 65536, "port", port, "a TCP port from 1 to 65535");
      }
    }

    static final Sample DEFAULTS = new Sample(Mode.STANDALONE, Duration.ofSeconds(1), 3,
        new Inner("127.0.0.1", 6379), List.of("a"), Map.of());

    Sample {
      ConfigException.require(retries >= 0, "retries", retries, "0 or more");
    }
  }

  private static ConfigException fails(String yaml) {
    return fails(yaml, Map.of());
  }

  private static ConfigException fails(String yaml, Map<String, String> env) {
    try {
      Config c = Config.fromYaml(yaml, env);
      c.section("redis", Sample.class, Sample.DEFAULTS);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException for:\n" + yaml);
  }

  @Nested
  class Defaults {
    @Test
    void emptyDocumentMeansDefaults() {
      Config c = Config.fromYaml("");
      assertThat(c.service()).isEqualTo(ServiceConfig.DEFAULTS);
      assertThat(c.health()).isEqualTo(HealthConfig.DEFAULTS);
      assertThat(c.cache().spec("anything")).isEqualTo(CacheSpec.DEFAULTS);
      assertThat(c).isEqualTo(Config.defaults());
    }

    @Test
    void missingDefaultFileMeansDefaults(@TempDir Path dir) {
      assertThat(Config.loadIfPresent(dir.resolve("absent.yaml"), Map.of())).isEqualTo(Config.defaults());
    }

    @Test
    void aNamedFileThatDoesNotExistIsAnErrorNamingThePath(@TempDir Path dir) {
      Path typo = dir.resolve("aplication.yaml");
      assertThatThrownBy(() -> Config.load(typo, Map.of()))
          .isInstanceOf(ConfigException.class).hasMessageContaining(typo.toString())
          .hasMessageContaining("no such file");
    }

    @Test
    void missingKeysComeFromDefaults() {
      Config c = Config.fromYaml("service:\n  name: users\n");
      assertThat(c.service().name()).isEqualTo("users");
      assertThat(c.service().shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    }
  }

  @Nested
  class Binding {
    @Test
    void readsAFile(@TempDir Path dir) throws Exception {
      Path f = Files.writeString(dir.resolve("application.yaml"), """
          service:
            name: orders
            version: 1.2.3
            environment: prod
            shutdown_timeout: 30s
          health:
            timeout: 500ms
          """);
      Config c = Config.load(f, Map.of());
      assertThat(c.service()).isEqualTo(new ServiceConfig("orders", "1.2.3", "prod", Duration.ofSeconds(30)));
      assertThat(c.health().timeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void bindsAdapterSectionsWithNestedRecordsEnumsListsAndMaps() {
      Config c = Config.fromYaml("""
          redis:
            mode: CLUSTER
            timeout: PT2S
            inner: { port: 7000 }
            nodes: [x, y]
            tags: { team: core }
          """);
      Sample s = c.section("redis", Sample.class, Sample.DEFAULTS);
      assertThat(s.mode()).isEqualTo(Sample.Mode.CLUSTER);
      assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(2));
      assertThat(s.inner()).isEqualTo(new Sample.Inner("127.0.0.1", 7000)); // host kept from defaults
      assertThat(s.nodes()).containsExactly("x", "y");
      assertThat(s.tags()).containsEntry("team", "core");
      assertThat(c.section("redis", Sample.class, Sample.DEFAULTS)).isSameAs(s);
    }

    @Test
    void cacheEntriesMergeOverCacheDefault() {
      Config c = Config.fromYaml("""
          cache:
            default: { default_ttl: 1m, ttl_jitter: 0.2 }
            users: { max_entries: 500 }
          """);
      assertThat(c.cache().spec("users").maxEntries()).isEqualTo(500);
      assertThat(c.cache().spec("users").defaultTtl()).isEqualTo(Duration.ofMinutes(1));
      assertThat(c.cache().spec("orders").ttlJitter()).isEqualTo(0.2);
      assertThat(c.cache().spec("orders").maxEntries()).isEqualTo(CacheSpec.DEFAULTS.maxEntries());
    }

    @Test
    void durationsAcceptUnitsAndIso() {
      assertThat(Config.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
      assertThat(Config.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
      assertThat(Config.parseDuration("2d")).isEqualTo(Duration.ofDays(2));
      assertThat(Config.parseDuration("PT1H")).isEqualTo(Duration.ofHours(1));
    }
  }

  @Nested
  class EnvironmentOverrides {
    @Test
    void overridesWinOverTheFile() {
      Config c = Config.fromYaml("service:\n  name: users\n", Map.of(
          "HYPERION_SERVICE__NAME", "users-2",
          "HYPERION_CACHE__USERS__MAX_ENTRIES", "42",
          "HYPERION_REDIS__INNER__PORT", "7001",
          "HYPERION_CONFIG", "/ignored/not/a/key",
          "PATH", "/usr/bin"));
      assertThat(c.service().name()).isEqualTo("users-2");
      assertThat(c.cache().spec("users").maxEntries()).isEqualTo(42);
      assertThat(c.section("redis", Sample.class, Sample.DEFAULTS).inner().port()).isEqualTo(7001);
    }

    @Test
    void badOverrideNamesTheVariable() {
      assertThatThrownBy(() -> Config.fromYaml("", Map.of("HYPERION_NOPE__X", "1")).check(List.of()))
          .isInstanceOf(ConfigException.class).hasMessageContaining("nope").hasMessageContaining("HYPERION_NOPE__X");
      assertThatThrownBy(() -> Config.fromYaml("", Map.of("HYPERION_SERVICE__", "secret")).check(List.of()))
          .isInstanceOf(ConfigException.class).hasMessageContaining("HYPERION_SERVICE__")
          .hasMessageNotContaining("secret");
    }

    @Test
    void overriddenValuesAreValidatedLikeFileValues() {
      ConfigException e = fails("", Map.of("HYPERION_REDIS__RETRIES", "-1"));
      assertThat(e.key()).isEqualTo("redis.retries");
      assertThat(e.value()).isEqualTo("-1");
    }
  }

  @Nested
  class Errors {
    @Test
    void unknownKeyIsNamedWithTheAllowedKeys() {
      ConfigException e = fails("redis:\n  retires: 3\n");
      assertThat(e.key()).isEqualTo("redis.retires");
      assertThat(e.getMessage()).contains("redis.retires").contains("allowed keys").contains("retries");
    }

    @Test
    void unknownNestedKey() {
      assertThat(fails("redis:\n  inner:\n    hots: x\n").key()).isEqualTo("redis.inner.hots");
    }

    @Test
    void unknownSectionIsReportedAgainstTheDeclaredOnes() {
      ConfigSection<Sample> tracing = new ConfigSection<>("tracing", Sample.class, Sample.DEFAULTS);
      assertThatThrownBy(() -> Config.fromYaml("tracin:\n  exporter: zipkin\n").check(List.of(tracing)))
          .isInstanceOf(ConfigException.class)
          .hasMessage("invalid configuration: tracin = '(section)': unknown section; the installed modules declare "
              + "cache, health, service, tracing");
    }

    @Test
    void wrongTypeNamesKeyValueAndType() {
      ConfigException e = fails("redis:\n  retries: many\n");
      assertThat(e.key()).isEqualTo("redis.retries");
      assertThat(e.value()).isEqualTo("many");
      assertThat(e.allowed()).isEqualTo("not a whole number; allowed: 0 or more");
    }

    @Test
    void unrecognizedEnumListsTheAllowedValues() {
      ConfigException e = fails("redis:\n  mode: clustre\n");
      assertThat(e.getMessage()).isEqualTo(
          "invalid configuration: redis.mode = 'clustre': unrecognized value; allowed: standalone, cluster");
    }

    @Test
    void outOfRangeIsReportedWithTheFullPath() {
      ConfigException e = fails("redis:\n  inner:\n    port: 70000\n");
      assertThat(e.getMessage()).isEqualTo(
          "invalid configuration: redis.inner.port = '70000': a TCP port from 1 to 65535");
    }

    @Test
    void durationWithoutUnitIsRefused() {
      ConfigException e = fails("redis:\n  timeout: 10\n");
      assertThat(e.key()).isEqualTo("redis.timeout");
      assertThat(e.getMessage()).contains("unit");
    }

    @Test
    void coreSectionsFailWhenChecked() {
      assertThatThrownBy(() -> Config.fromYaml("cache:\n  users:\n    max_entries: -5\n").check(List.of()))
          .hasMessage("invalid configuration: cache.users.max_entries = '-5': a positive whole number");
      assertThatThrownBy(() -> Config.fromYaml("service:\n  name: 'has space'\n").service())
          .hasMessageContaining("service.name = 'has space'");
      assertThatThrownBy(() -> Config.fromYaml("service:\n  colour: red\n").check(List.of()))
          .hasMessageContaining("service.colour = '(unknown key)'").hasMessageContaining("shutdown_timeout")
          .hasMessageNotContaining("red");
      assertThatThrownBy(() -> Config.fromYaml("cache:\n  users:\n    ttl_jitter: 0.9\n").cache())
          .hasMessageContaining("cache.users.ttl_jitter = '0.9'");
    }

    @Test
    void aTimeoutDocumentedFromOneMillisecondRefusesLessThanThat() {
      ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
          () -> Config.fromYaml("""
              service:
                shutdown_timeout: PT0.0005S
              health:
                timeout: PT0.000999S
              """).check(List.of()));
      assertThat(e.problems()).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
          "service.shutdown_timeout = 'PT0.0005S': a duration between 1ms and 10m, e.g. 10s",
          "health.timeout = 'PT0.000999S': a duration between 1ms and 1m");
      assertThat(Config.fromYaml("health:\n  timeout: 1ms\n").health().timeout()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void everyProblemOfEverySectionIsReportedTogetherAsWritten() {
      ConfigSection<Sample> redis = new ConfigSection<>("redis", Sample.class, Sample.DEFAULTS);
      Config c = Config.fromYaml("""
          service:
            shutdown_timeout: 11m
          cache:
            users: { ttl_jitter: 2, max_entries: many }
          redis:
            retries: -1
            inner: { port: 0 }
            nodes: just-one
            tags: [a, b]
            mode: clustre
          """);
      ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
          () -> c.check(List.of(redis)));
      assertThat(e.problems()).extracting(ConfigProblem::toString).containsExactly(
          "service.shutdown_timeout = '11m': a duration between 1ms and 10m, e.g. 10s",
          "cache.users.max_entries = 'many': not a whole number; allowed: a positive whole number",
          "cache.users.ttl_jitter = '2': a fraction from 0.0 to 0.5",
          "redis.mode = 'clustre': unrecognized value; allowed: standalone, cluster",
          "redis.inner.port = '0': a TCP port from 1 to 65535",
          "redis.nodes = 'just-one': a list, e.g. [a, b]; got a string",
          "redis.tags = '[\"a\",\"b\"]': a mapping of name to value, e.g. {name: value}; got a list",
          "redis.retries = '-1': 0 or more");
      assertThat(e.getMessage()).startsWith("invalid configuration (8 problems):\n  service.shutdown_timeout");
    }

    @Test
    void constructorChecksAreAllReportedWithTheValuesAsWritten() {
      ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
          () -> Config.fromYaml("cache:\n  users: { ttl_jitter: 2, default_ttl: 0m, l2_timeout: PT0S }\n").cache());
      assertThat(e.problems()).extracting(ConfigProblem::toString).containsExactly(
          "cache.users.default_ttl = '0m': a positive duration, e.g. 5m",
          "cache.users.ttl_jitter = '2': a fraction from 0.0 to 0.5",
          "cache.users.l2_timeout = 'PT0S': a positive duration, e.g. 250ms");
    }

    @Test
    void aSecretMustBeAStringAndIsNeverShown() {
      record Credentials(String user, Secret password, Map<String, Secret> headers) {
        static final Credentials DEFAULTS = new Credentials("u", null, Map.of());
      }
      Config c = Config.fromYaml("creds:\n  password: 918273\n  headers: { x-key: 5551212 }\n");
      ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
          () -> c.section("creds", Credentials.class, Credentials.DEFAULTS));
      assertThat(e.problems()).extracting(ConfigProblem::key).containsExactly("creds.password", "creds.headers.x-key");
      assertThat(e.getMessage()).doesNotContain("918273").doesNotContain("5551212").contains("****")
          .contains("quote it");
      Credentials ok = Config.fromYaml("creds:\n  password: '918273'\n").section("creds", Credentials.class,
          Credentials.DEFAULTS);
      assertThat(ok.password().reveal()).isEqualTo("918273");
      assertThat(ok.toString()).doesNotContain("918273");
      assertThat(new ConfigSection<>("creds", Credentials.class, Credentials.DEFAULTS).secretKeys())
          .containsExactly("password", "headers");
    }

    @Test
    void malformedYaml() {
      assertThatThrownBy(() -> Config.fromYaml("service: [unclosed\n"))
          .isInstanceOf(ConfigException.class).hasMessageContaining("well-formed YAML");
      assertThatThrownBy(() -> Config.fromYaml("- a list\n"))
          .isInstanceOf(ConfigException.class).hasMessageContaining("mapping");
    }
  }
}
