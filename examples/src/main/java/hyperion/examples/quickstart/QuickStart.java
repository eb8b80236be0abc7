package hyperion.examples.quickstart;

import com.google.inject.AbstractModule;
import hyperion.Cached;
import hyperion.Context;
import hyperion.Hyperion;
import hyperion.Span;
import hyperion.Traced;
import hyperion.caffeine.CaffeineModule;
import hyperion.otel.OtelModule;
import hyperion.prometheus.PrometheusModule;
import hyperion.redis.RedisModule;
import jakarta.inject.Inject;
import java.util.Map;

/**
 * The README's quick start, compiled with the build so it cannot drift from the API (a test checks
 * that README.md shows exactly the lines between the markers).
 */
public final class QuickStart {
  private QuickStart() {}

  // README:start
  /** A service's whole main. */
  public static void main(String[] args) {
    // Loads application.yaml, builds the injector, starts everything, stops cleanly on SIGTERM.
    Hyperion.run(args, new OtelModule(), new CaffeineModule(), new RedisModule(), new PrometheusModule(),
        new UsersModule());
  }

  /** What the service caches: immutable, so an L1 hit can hand out the same object. */
  public record User(String id, String name) {}

  static final class UsersModule extends AbstractModule {
    @Override
    protected void configure() {
      bind(UserService.class);
    }
  }

  static class UserService {
    private final Context ctx;
    private final Map<String, User> database = Map.of("1", new User("1", "Ada"));

    @Inject
    UserService(Context ctx) {
      this.ctx = ctx;
    }

    @Traced // a span named UserService.get around the call, errors recorded
    @Cached(cache = "users", key = "{id}") // L1 (Caffeine) -> L2 (Redis) -> this method, once per key
    User get(String id) {
      return database.get(id);
    }

    void rename(String id, String name) {
      try (Span span = ctx.tracer().start("UserService.rename")) {
        span.setAttribute("user.id", id);
        ctx.cache("users").put(id, new User(id, name)); // write-through; other instances evict their L1 copy
      }
    }
  }
  // README:end
}
