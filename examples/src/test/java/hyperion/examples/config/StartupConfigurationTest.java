package hyperion.examples.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.config.Config;
import hyperion.config.ConfigException;
import hyperion.config.ConfigProblem;
import hyperion.otel.OtelModule;
import hyperion.prometheus.PrometheusModule;
import hyperion.redis.RedisModule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up with bad configuration, with the real adapters: every problem of every section in one
 * report, values as written, no secret in it; in a real child JVM through {@code Hyperion.run}, exit
 * status 2 with one line per problem on stderr; a misspelled {@code --config} exits 2 naming the path.
 */
class StartupConfigurationTest {

  static final String PLANTED = "planted-Addr-Pw-3K8";

  /** Six mistakes across four sections. */
  static final String SIX_MISTAKES = """
      cache:
        users:
          ttl_jitter: 2
      tracing:
        protocol: http_proto
        attributes: just-a-string
      redis:
        addresses: ["redis://bob:%s@127.0.0.1:1"]
        password: 12345
      admin:
        port: abc
      """.formatted(PLANTED);

  static final List<String> SIX_LINES = List.of(
      "cache.users.ttl_jitter = '2': a fraction from 0.0 to 0.5",
      "tracing.protocol = 'http_proto': unrecognized value; allowed: grpc, http/protobuf",
      "tracing.attributes = 'just-a-string': a mapping of name to value, e.g. {name: value}; got a string",
      "redis.password = '****': a string; a YAML number is not taken as a secret, quote it (e.g. '1234')",
      "redis.addresses[0] = 'redis://****@127.0.0.1:1': an address without credentials; set them in "
          + "redis.username and redis.password",
      "admin.port = 'abc': not a whole number; allowed: 0 (no admin server) or a port 1-65535");

  @Test
  void sixMistakesAcrossFourSectionsFailOnceListingAllSixAsWritten() {
    ConfigException e = assertThrows(ConfigException.class, () -> Hyperion.start(Config.fromYaml(SIX_MISTAKES),
        new OtelModule(), new CaffeineModule(), new RedisModule(), new PrometheusModule()));
    assertThat(e.problems()).extracting(ConfigProblem::toString).containsExactlyElementsOf(SIX_LINES);
    assertThat(e.getMessage()).startsWith("invalid configuration (6 problems):").doesNotContain(PLANTED)
        .doesNotContain("12345");
  }

  @Test
  void valuesAreShownAsWrittenNotAsBound() {
    ConfigException e = assertThrows(ConfigException.class, () -> Hyperion.start(Config.fromYaml("""
        service: { shutdown_timeout: 11m }
        redis: { command_timeout: 6m }
        tracing: { sample_rate: 2 }
        """), new OtelModule(), new RedisModule()));
    assertThat(e.problems()).extracting(ConfigProblem::toString).containsExactly(
        "service.shutdown_timeout = '11m': a duration between 1ms and 10m, e.g. 10s",
        "redis.command_timeout = '6m': a duration from 1ms to 1m",
        "tracing.sample_rate = '2': a number from 0.0 to 1.0");
  }

  @Test
  void anUnknownSectionIsReportedAgainstTheInstalledModules() {
    ConfigException e = assertThrows(ConfigException.class, () -> Hyperion.start(Config.fromYaml("""
        redis: { mode: standalone }
        admin: { port: 0 }
        """), new CaffeineModule(), new PrometheusModule()));
    assertThat(e.getMessage()).isEqualTo("invalid configuration: redis = '(section)': unknown section; the "
        + "installed modules declare admin, cache, health, metrics, service");
  }

  @Test
  @Timeout(120)
  void hyperionRunPrintsEveryProblemOneLineEachAndExits2(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("application.yaml"), SIX_MISTAKES);
    Child child = run(dir, "--config", file.toString());
    assertThat(child.status()).isEqualTo(Hyperion.EXIT_START_FAILED);
    assertThat(child.stderr()).contains("hyperion: start-up failed: invalid configuration (6 problems):");
    for (String line : SIX_LINES) {
      assertThat(child.stderr()).contains("\n  " + line + "\n");
    }
    assertThat(child.stdout() + child.stderr()).doesNotContain(PLANTED).doesNotContain("12345")
        .doesNotContain("Exception"); // the user's mistake, not a bug: no stack trace
  }

  @Test
  @Timeout(120)
  void aMisspelledConfigPathExits2NamingThePath(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("application.yaml"), "service: { name: users }\n");
    Child child = run(dir, "--config", "aplication.yaml");
    assertThat(child.status()).isEqualTo(Hyperion.EXIT_START_FAILED);
    assertThat(child.stderr()).contains("hyperion: start-up failed: invalid configuration: config file = "
        + "'aplication.yaml': an existing YAML file (no such file");
  }

  record Child(int status, String stdout, String stderr) {}

  private static Child run(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ConfigChildMain.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("HYPERION_") || k.startsWith("OTEL_"));
    Process p = pb.start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the child did not exit: " + Files.readString(dir.resolve("stderr")));
    }
    return new Child(p.exitValue(), Files.readString(dir.resolve("stdout"), StandardCharsets.UTF_8),
        Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8));
  }
}
