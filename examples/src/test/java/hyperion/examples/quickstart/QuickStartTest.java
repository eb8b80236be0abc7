package hyperion.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Hyperion;
import hyperion.admin.AdminConfig;
import hyperion.caffeine.CaffeineModule;
import hyperion.config.Config;
import hyperion.otel.OtelModule;
import hyperion.otel.TracingConfig;
import hyperion.prometheus.MetricsConfig;
import hyperion.redis.RedisConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class QuickStartTest {

  private static String between(String text, String start, String end) {
    int from = text.indexOf(start);
    int to = text.indexOf(end, from);
    assertThat(from).as("marker %s", start).isNotNegative();
    return text.substring(text.indexOf('\n', from) + 1, text.lastIndexOf('\n', to) + 1);
  }

  @Test
  void readmeYamlIsValidConfiguration() throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    String yaml = between(readme, "# application.yaml", "```");
    Config config = Config.fromYaml(yaml);
    assertThat(config.service().name()).isEqualTo("users");
    assertThat(config.cache().spec("users").maxEntries()).isEqualTo(50_000);
    config.check(java.util.List.of(TracingConfig.SECTION, RedisConfig.SECTION, MetricsConfig.SECTION,
        AdminConfig.SECTION));
    assertThat(config.section(TracingConfig.SECTION).exporter()).hasToString("ZIPKIN");
    assertThat(config.section(AdminConfig.SECTION).port()).isEqualTo(9464);
  }

  @Test
  void theQuickStartServiceWorksOnLocalAdapters() {
    Config config = Config.fromYaml("tracing:\n  exporter: none\ncache:\n  users:\n    max_entries: 100\n");
    try (Hyperion app = Hyperion.start(config, new OtelModule(), new CaffeineModule(), new QuickStart.UsersModule())) {
      QuickStart.UserService users = app.injector().getInstance(QuickStart.UserService.class);
      assertThat(users.get("1")).isEqualTo(new QuickStart.User("1", "Ada"));
      users.rename("1", "Ada Lovelace");
      assertThat(users.get("1").name()).isEqualTo("Ada Lovelace"); // served from the cache, not the map
      assertThat(users.get("2")).isNull();
    }
  }
}
