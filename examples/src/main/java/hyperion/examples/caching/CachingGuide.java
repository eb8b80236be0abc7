package hyperion.examples.caching;

import hyperion.CacheInvalidate;
import hyperion.CachePut;
import hyperion.Cached;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The annotations example of docs/caching.md, compiled with the build so it cannot drift from the
 * API (a test checks that the guide shows exactly the lines between the markers, and runs it).
 */
public final class CachingGuide {
  private CachingGuide() {}

  /** A cached value: immutable. */
  public record User(String id, String name) {}

  /** Another cached value. */
  public record Order(String id, String userId, int page) {}

  /** The data source the service caches, counting its calls. */
  public static class UserRepository {
    final Map<String, User> users = new ConcurrentHashMap<>(Map.of("1", new User("1", "Ada"), "2",
        new User("2", "Alan")));
    final AtomicInteger calls = new AtomicInteger();

    User find(String id) {
      calls.incrementAndGet();
      return users.get(id);
    }

    List<Order> orders(String userId, int page) {
      calls.incrementAndGet();
      return List.of(new Order("o-" + userId + "-" + page, userId, page));
    }

    Map<String, User> findAll(Collection<String> ids) {
      calls.incrementAndGet();
      Map<String, User> found = new LinkedHashMap<>();
      ids.forEach(id -> {
        User u = users.get(id);
        if (u != null) {
          found.put(id, u);
        }
      });
      return found;
    }

    User rename(String id, String name) {
      User u = new User(id, name);
      users.put(id, u);
      return u;
    }

    void delete(String id) {
      users.remove(id);
    }
  }

  // docs/caching.md:start
  public static class UserService {
    private final UserRepository repository;

    @Inject
    UserService(UserRepository repository) {
      this.repository = repository;
    }

    @Cached(cache = "users", key = "{id}", ttl = "10m")
    public User find(String id) {                                 // null: "not found" (negative_ttl)
      return repository.find(id);
    }

    @Cached(cache = "orders", key = "{user.id}:{page}")
    public List<Order> orders(User user, int page) {               // L2 decodes a List<Order>
      return repository.orders(user.id(), page);
    }

    @Cached(cache = "users", bulk = true)
    public Map<String, User> findAll(Collection<String> ids) {     // called with the missing ids only
      return repository.findAll(ids);
    }

    @CachePut(cache = "users", key = "{id}")
    public User rename(String id, String name) {                   // the result is written through
      return repository.rename(id, name);
    }

    @CacheInvalidate(cache = "users", key = "{id}")
    public void remove(String id) {                                // deleted after a normal return
      repository.delete(id);
    }
  }
  // docs/caching.md:end
}
