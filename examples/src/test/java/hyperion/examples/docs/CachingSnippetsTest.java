package hyperion.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.benmanes.caffeine.cache.Weigher;
import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import hyperion.Context;
import hyperion.Hyperion;
import hyperion.HyperionModule;
import hyperion.caffeine.CaffeineModule;
import hyperion.config.Config;
import hyperion.examples.docs.CachingSnippets.User;
import hyperion.redis.RedisModule;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** docs/caching.md's snippets work against a real Redis, and a bare injector fails loudly. */
class CachingSnippetsTest {

  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();

  /** A repository over a map. */
  static final class MapRepository implements CachingSnippets.UserRepository {
    final Map<String, User> users = new ConcurrentHashMap<>(Map.of("1", new User("1", "Ada")));

    @Override public User find(String id) { return users.get(id); }
    @Override public User rename(String id, String name) {
      User u = new User(id, name);
      users.put(id, u);
      return u;
    }
    @Override public void delete(String id) { users.remove(id); }
  }

  private static Config config() {
    return Config.fromYaml("service: { name: snippets }\n" + redis.redisYaml());
  }

  @Test
  void theUsageSnippetCachesInRedis() {
    MapRepository repository = new MapRepository();
    try (Hyperion app = CachingSnippets.start(config(), repository)) {
      CachingSnippets.UserService users = app.injector().getInstance(CachingSnippets.UserService.class);
      assertThat(users.find("1")).isEqualTo(new User("1", "Ada"));
      // The loaded value is written back to Redis in the background.
      RedisNode.await("the value in Redis", Duration.ofSeconds(5),
          () -> Long.valueOf(1).equals(redis.nodes().get(0).call("EXISTS", "snippets:users:1")));
      users.rename("1", "Ada Lovelace");
      repository.users.clear(); // from here on only the cache knows
      assertThat(users.find("1").name()).isEqualTo("Ada Lovelace");
      users.remove("1");
      assertThat(users.find("1")).isNull();
      assertThat(redis.nodes().get(0).call("GET", "snippets:users:1")).as("a tombstone, not the value")
          .isNotNull();
    }
  }

  @Test
  void withoutTheLifecycleRedisFailsLoudly() {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    try {
      // What the user did: a bare injector, so nothing connects.
      Context ctx = Guice.createInjector(new HyperionModule(config()), new CaffeineModule(), new RedisModule())
          .getInstance(Context.class);
      ctx.cache("bare").put("1", "one");
      assertThat(redis.nodes().get(0).call("EXISTS", "snippets:bare:1")).isEqualTo(0L);
      assertThat(logs.list).anySatisfy(e -> {
        assertThat(e.getLevel()).hasToString("ERROR");
        assertThat(e.getFormattedMessage()).contains("lifecycle was not started")
            .contains("Hyperion.start(config, modules)");
      });
    } finally {
      root.detachAppender(logs);
    }
  }

  @Test
  void theWeigherSnippetBindsTheWeigher() {
    try (Hyperion app = Hyperion.start(Config.defaults(), new CaffeineModule(),
        new CachingSnippets.ByteArrayWeigherModule())) {
      Weigher<String, Object> weigher = app.injector().getInstance(Key.get(new TypeLiteral<Weigher<String, Object>>() {}));
      assertThat(weigher.weigh("k", new byte[7])).isEqualTo(7);
      assertThat(weigher.weigh("k", "text")).isEqualTo(1);
    }
  }
}
