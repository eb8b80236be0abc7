package hyperion.examples.docs;

import com.github.benmanes.caffeine.cache.Weigher;
import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Context;
import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.config.Config;
import hyperion.redis.RedisModule;
import jakarta.inject.Inject;

/** docs/caching.md's snippets, compiled here and run by {@link CachingSnippetsTest}. */
final class CachingSnippets {
  private CachingSnippets() {}

  /** The application's own types that the snippet uses. */
  record User(String id, String name) {}

  /** Where users really live. */
  interface UserRepository {
    User find(String id);

    User rename(String id, String name);

    void delete(String id);
  }

  // docs/caching.md:start
  /** Starts the service: Hyperion.start starts the lifecycle, which connects to Redis. */
  static Hyperion start(Config config, UserRepository repository) {
    return Hyperion.start(config, new CaffeineModule(), new RedisModule(), // drop RedisModule for L1 only
        binder -> binder.bind(UserRepository.class).toInstance(repository));
  }

  public static final class UserService {
    private final Context ctx;
    private final UserRepository repository;

    @Inject
    UserService(Context ctx, UserRepository repository) {
      this.ctx = ctx;
      this.repository = repository;
    }

    public User find(String id) {
      // null TTL = the cache's default_ttl; a null result means "not found"
      return ctx.cache("users").getOrLoad(id, User.class, null, repository::find);
    }

    public void rename(String id, String name) {
      User updated = repository.rename(id, name);
      ctx.cache("users").put(id, updated);        // write-through, other instances drop their L1 copy
    }

    public void remove(String id) {
      repository.delete(id);
      ctx.cache("users").delete(id);              // both layers, and every instance's L1
    }
  }
  // docs/caching.md:end

  /** The weigher binding of the "Sizing" list. */
  static final class ByteArrayWeigherModule extends AbstractModule {
    @Override
    protected void configure() {
      // docs/caching.md:start
      OptionalBinder.newOptionalBinder(binder(), new TypeLiteral<Weigher<String, Object>>() {})
          .setBinding().toInstance((key, value) -> value instanceof byte[] b ? b.length : 1);
      // docs/caching.md:end
    }
  }
}
