package hyperion.examples.caching;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Scopes;
import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.config.Config;
import hyperion.examples.caching.CachingGuide.Order;
import hyperion.examples.caching.CachingGuide.User;
import hyperion.examples.caching.CachingGuide.UserRepository;
import hyperion.examples.caching.CachingGuide.UserService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/caching.md's annotations example ({@link CachingGuide}; DocSnippetsTest checks the guide shows it
 * exactly) does what the guide says.
 */
class CachingGuideTest {

  private static String between(String text, String start, String end) {
    int from = text.indexOf(start);
    assertThat(from).as("marker %s", start).isNotNegative();
    int to = text.indexOf(end, from);
    return text.substring(text.indexOf('\n', from) + 1, text.lastIndexOf('\n', to) + 1);
  }

  static String guide() throws Exception {
    return Files.readString(Path.of("../docs/caching.md"));
  }

  @Test
  void theExampleWorksWithTheGuidesConfiguration() throws Exception {
    Config config = Config.fromYaml(between(guide(), "# application.yaml (annotations)", "```"));
    try (Hyperion app = Hyperion.start(config, new CaffeineModule(), b -> {
      b.bind(UserService.class); // Guice constructs it, so its annotated methods are intercepted
      b.bind(UserRepository.class).in(Scopes.SINGLETON);
    })) {
      UserService users = app.injector().getInstance(UserService.class);
      UserRepository repository = app.injector().getInstance(UserRepository.class);
      assertThat(users.find("1")).isEqualTo(new User("1", "Ada"));
      assertThat(users.find("1")).isEqualTo(new User("1", "Ada"));
      assertThat(repository.calls).hasValue(1);

      assertThat(users.find("404")).isNull();
      assertThat(users.find("404")).isNull();
      assertThat(repository.calls).as("not found is cached for negative_ttl").hasValue(2);

      User ada = new User("1", "Ada");
      assertThat(users.orders(ada, 2)).containsExactly(new Order("o-1-2", "1", 2));
      assertThat(users.orders(new User("1", "other name"), 2)).hasSize(1);
      assertThat(repository.calls).as("key 1:2 both times").hasValue(3);

      assertThat(users.findAll(List.of("1", "2")).keySet()).containsExactly("1", "2");
      assertThat(repository.calls).as("one call, for id 2 only").hasValue(4);
      assertThat(users.findAll(List.of("1", "2"))).hasSize(2);
      assertThat(repository.calls).hasValue(4);

      users.rename("1", "Ada Lovelace");
      assertThat(users.find("1").name()).isEqualTo("Ada Lovelace");
      users.remove("1");
      assertThat(users.find("1")).isNull();
      assertThat(repository.calls).hasValue(5);
    }
  }
}
