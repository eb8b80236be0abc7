package hyperion.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Hyperion;
import hyperion.admin.AdminConfig;
import hyperion.caffeine.CaffeineModule;
import hyperion.config.Config;
import hyperion.otel.OtelModule;
import hyperion.otel.TracingConfig;
import hyperion.redis.RedisConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class QuickStartTest {

  private static String between(String text, String start, String end) {
    int from = text.indexOf(start);
    int to = text.indexOf(end, from);
    assertThat(from).as("marker %s", start).isNotNegative();
    return text.substring(text.indexOf('\n', from) + 1, text.lastIndexOf('\n', to) + 1);
  }

  @Test
  void readmeShowsExactlyTheCompiledQuickStart() throws Exception {
    String source = Files.readString(Path.of("src/main/java/hyperion/examples/quickstart/QuickStart.java"));
    String readme = Files.readString(Path.of("../README.md"));
    // The snippet sits in the class body: drop that one level of indentation, as the README does.
    String snippet = between(source, "// README:start", "// README:end").lines()
        .map(l -> l.startsWith("  ") ? l.substring(2) : l).collect(Collectors.joining("\n", "", "\n"));
    assertThat(readme).contains(snippet);
  }

  @Test
  void readmeYamlIsValidConfiguration() throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    String yaml = between(readme, "# application.yaml", "```");
    Config config = Config.fromYaml(yaml);
    assertThat(config.service().name()).isEqualTo("users");
    assertThat(config.cache().spec("users").maxEntries()).isEqualTo(50_000);
    assertThat(config.section("tracing", TracingConfig.class, TracingConfig.DEFAULTS).exporter())
        .hasToString("ZIPKIN");
    assertThat(config.section("redis", RedisConfig.class, RedisConfig.DEFAULTS)).isNotNull();
    assertThat(config.section("admin", AdminConfig.class, AdminConfig.DEFAULTS).port()).isEqualTo(9464);
  }

  @Test
  void theQuickStartServiceWorksOnLocalAdapters() {
    try (Hyperion app = Hyperion.start(Config.fromYaml("tracing:\n  exporter: none\n"), new OtelModule(),
        new CaffeineModule(), new QuickStart.UsersModule())) {
      QuickStart.UserService users = app.injector().getInstance(QuickStart.UserService.class);
      assertThat(users.get("1")).isEqualTo(new QuickStart.User("1", "Ada"));
      users.rename("1", "Ada Lovelace");
      assertThat(users.get("1").name()).isEqualTo("Ada Lovelace"); // served from the cache, not the map
      assertThat(users.get("2")).isNull();
    }
  }
}
