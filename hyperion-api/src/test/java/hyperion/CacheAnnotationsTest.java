package hyperion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.cache.LocalLayer;
import hyperion.cache.RemoteLayer;
import hyperion.config.Config;
import hyperion.testkit.InMemoryLocalLayer;
import hyperion.testkit.InMemoryRemoteLayer;
import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Cached}, {@link CachePut} and {@link CacheInvalidate} over in-memory layers: what they do
 * with each return type, with L1 only, L2 only, both and no layer, and every misuse failing
 * injector creation with the method named. The same over Caffeine and a real Redis is in
 * adapter-redis ({@code CacheAnnotationsRedisTest}).
 */
class CacheAnnotationsTest {

  static final Config CONFIG = Config.fromYaml("""
      cache:
        users:
          negative_ttl: 30s
          ttl_jitter: 0
        orders:
          ttl_jitter: 0
      """);

  record User(String id, String name) {}

  record Order(String id, String userId) {}

  /** The data source behind the service, counting every call. */
  static final class Repository {
    final Map<String, User> users = new java.util.concurrent.ConcurrentHashMap<>(Map.of("1", new User("1", "Ada"),
        "2", new User("2", "Alan"), "3", new User("3", "Grace")));
    final AtomicInteger calls = new AtomicInteger();
    final List<Collection<String>> bulkCalls = new CopyOnWriteArrayList<>();
    volatile CountDownLatch gate;

    User find(String id) {
      calls.incrementAndGet();
      CountDownLatch g = gate;
      if (g != null) {
        try {
          g.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return users.get(id);
    }
  }

  static class UserService {
    final Repository repo;

    @com.google.inject.Inject
    UserService(Repository repo) {
      this.repo = repo;
    }

    @Cached(cache = "users", key = "{0}", ttl = "10m")
    User find(String id) {
      return repo.find(id);
    }

    @Cached(cache = "orders", key = "missing:{0}")
    User findWithoutNegativeCaching(String id) {
      return repo.find(id);
    }

    @Cached(cache = "users", key = "opt:{id}")
    Optional<User> maybe(String id) {
      return Optional.ofNullable(repo.find(id));
    }

    @Cached(cache = "users", key = "async:{0}")
    CompletableFuture<User> async(String id) {
      repo.calls.incrementAndGet();
      return CompletableFuture.supplyAsync(() -> {
        User u = repo.users.get(id);
        if (u == null) {
          throw new IllegalStateException("no user " + id);
        }
        return u;
      });
    }

    @Cached(cache = "users", key = "checked:{0}")
    User checked(String id) throws IOException {
      repo.calls.incrementAndGet();
      throw new IOException("disk on fire: " + id);
    }

    @Cached(cache = "orders", key = "{user.id}:{1}")
    String orderOf(User user, int n) {
      repo.calls.incrementAndGet();
      return (user == null ? "nobody" : user.name()) + "#" + n;
    }

    @Cached(cache = "orders", key = "list:{0}")
    List<Order> ordersOf(String userId) {
      repo.calls.incrementAndGet();
      return List.of(new Order("o1", userId), new Order("o2", userId));
    }

    @Cached(cache = "users", bulk = true)
    Map<String, User> findAll(Set<String> ids) {
      repo.bulkCalls.add(List.copyOf(ids));
      Map<String, User> out = new LinkedHashMap<>();
      ids.forEach(id -> {
        User u = repo.users.get(id);
        if (u != null) {
          out.put(id, u);
        }
      });
      return out;
    }

    @CachePut(cache = "users", key = "{0}")
    User rename(String id, String name) {
      User u = new User(id, name);
      repo.users.put(id, u);
      return u;
    }

    @CacheInvalidate(cache = "users", key = "{0}")
    void remove(String id) {
      repo.users.remove(id);
    }

    @CacheInvalidate(cache = "users", key = "{0}")
    void failToRemove(String id) {
      throw new IllegalStateException("database down");
    }

    @CacheInvalidate(cache = "users", all = true)
    void removeAll() {}
  }

  final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  enum Layers { L1, L2, BOTH, NONE }

  static Injector injector(Layers layers, Module... more) {
    Module layerModule = new AbstractModule() {
      @Override
      protected void configure() {
        if (layers == Layers.L1 || layers == Layers.BOTH) {
          OptionalBinder.newOptionalBinder(binder(), LocalLayer.Factory.class).setBinding()
              .toInstance(new InMemoryLocalLayer.Factory());
        }
        if (layers == Layers.L2 || layers == Layers.BOTH) {
          OptionalBinder.newOptionalBinder(binder(), RemoteLayer.Factory.class).setBinding()
              .toInstance(new InMemoryRemoteLayer.Server());
        }
      }
    };
    List<Module> modules = new java.util.ArrayList<>(List.of(new HyperionModule(CONFIG), layerModule));
    modules.addAll(List.of(more));
    return Guice.createInjector(modules);
  }

  Injector injector;

  UserService service(Layers layers) {
    injector = injector(layers, m -> m.bind(UserService.class));
    return injector.getInstance(UserService.class);
  }

  /** Waits for a load's background write-back to reach L2 (with L2 only, the next read depends on it). */
  void settled(String cache, String key) throws InterruptedException {
    Cache c = injector.getInstance(CacheManager.class).cache(cache);
    long t0 = System.nanoTime();
    while (!c.exists(key)) {
      assertThat(System.nanoTime() - t0).as("write-back of %s", key).isLessThan(TimeUnit.SECONDS.toNanos(5));
      Thread.sleep(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"L1", "L2", "BOTH"})
  void aHitDoesNotRunTheMethodAndAPutOrInvalidateIsSeenByTheNextRead(String layers) throws Exception {
    UserService s = service(Layers.valueOf(layers));
    assertThat(s.find("1")).isEqualTo(new User("1", "Ada"));
    settled("users", "1");
    assertThat(s.find("1")).isEqualTo(new User("1", "Ada"));
    assertThat(s.repo.calls).hasValue(1);
    assertThat(s.find("2").name()).isEqualTo("Alan");
    settled("users", "2");
    assertThat(s.repo.calls).hasValue(2);

    assertThat(s.rename("1", "Ada Lovelace")).isEqualTo(new User("1", "Ada Lovelace"));
    assertThat(s.find("1").name()).isEqualTo("Ada Lovelace");
    assertThat(s.repo.calls).as("served from the put").hasValue(2);

    s.remove("1");
    assertThat(s.find("1")).isNull();
    assertThat(s.repo.calls).hasValue(3);

    assertThatThrownBy(() -> s.failToRemove("2")).isInstanceOf(IllegalStateException.class);
    assertThat(s.find("2").name()).as("a failed method invalidates nothing").isEqualTo("Alan");
    assertThat(s.repo.calls).hasValue(3);

    s.removeAll();
    s.find("2");
    assertThat(s.repo.calls).as("all = true empties the cache").hasValue(4);
  }

  @Test
  void withoutACacheLayerTheMethodAlwaysRuns() throws Exception {
    UserService s = service(Layers.NONE);
    assertThat(s.find("1")).isEqualTo(new User("1", "Ada"));
    assertThat(s.find("1")).isEqualTo(new User("1", "Ada"));
    assertThat(s.repo.calls).hasValue(2);
    s.rename("1", "Ada L");
    assertThat(s.find("1").name()).isEqualTo("Ada L");
    assertThat(s.findAll(Set.of("1", "2"))).hasSize(2);
    assertThat(s.findAll(Set.of("1", "2"))).hasSize(2);
    assertThat(s.repo.bulkCalls).hasSize(2);
  }

  @Test
  void aNullResultFollowsTheCachesNegativeCaching() {
    UserService s = service(Layers.L1);
    assertThat(s.find("404")).isNull();
    assertThat(s.find("404")).isNull();
    assertThat(s.repo.calls).as("users has negative_ttl: 30s").hasValue(1);
    assertThat(s.findWithoutNegativeCaching("404")).isNull();
    assertThat(s.findWithoutNegativeCaching("404")).isNull();
    assertThat(s.repo.calls).as("orders has no negative caching").hasValue(3);
  }

  @Test
  void optionalEmptyIsNotFoundAndAValueIsCached() {
    UserService s = service(Layers.BOTH);
    assertThat(s.maybe("1")).contains(new User("1", "Ada"));
    assertThat(s.maybe("1")).contains(new User("1", "Ada"));
    assertThat(s.repo.calls).hasValue(1);
    assertThat(s.maybe("404")).isEmpty();
    assertThat(s.maybe("404")).isEmpty();
    assertThat(s.repo.calls).as("negative caching").hasValue(2);
  }

  @Test
  void aCheckedExceptionReachesTheCallerUnchangedAndIsNotCached() {
    UserService s = service(Layers.L1);
    assertThatThrownBy(() -> s.checked("1")).isExactlyInstanceOf(IOException.class).hasMessage("disk on fire: 1");
    assertThatThrownBy(() -> s.checked("1")).isExactlyInstanceOf(IOException.class);
    assertThat(s.repo.calls).hasValue(2);
  }

  @Test
  void aCompletedStageIsCachedAndAFailedOneIsNot() throws Exception {
    UserService s = service(Layers.BOTH);
    assertThat(s.async("1").get(5, TimeUnit.SECONDS)).isEqualTo(new User("1", "Ada"));
    assertThat(s.async("1").get(5, TimeUnit.SECONDS)).isEqualTo(new User("1", "Ada"));
    assertThat(s.repo.calls).hasValue(1);
    assertThat(s.async("404")).failsWithin(5, TimeUnit.SECONDS);
    assertThat(s.async("404")).failsWithin(5, TimeUnit.SECONDS);
    assertThat(s.repo.calls).as("a failure is not cached").hasValue(3);
  }

  @Test
  void keysComeFromRecordComponentsAndPositions() {
    Injector injector = injector(Layers.L1, m -> m.bind(UserService.class));
    UserService s = injector.getInstance(UserService.class);
    assertThat(s.orderOf(new User("7", "Ada"), 2)).isEqualTo("Ada#2");
    assertThat(s.orderOf(new User("7", "Other name"), 2)).as("same key 7:2").isEqualTo("Ada#2");
    assertThat(s.orderOf(new User("7", "Ada"), 3)).isEqualTo("Ada#3");
    assertThat(s.repo.calls).hasValue(2);
    assertThat(injector.getInstance(CacheManager.class).cache("orders").get("7:2", String.class)).contains("Ada#2");
    assertThat(s.orderOf(null, 1)).as("a null in the key bypasses the cache").isEqualTo("nobody#1");
    assertThat(s.orderOf(null, 1)).isEqualTo("nobody#1");
    assertThat(s.repo.calls).hasValue(4);
  }

  @Test
  void aGenericReturnTypeIsCached() {
    UserService s = service(Layers.BOTH);
    assertThat(s.ordersOf("1")).containsExactly(new Order("o1", "1"), new Order("o2", "1"));
    assertThat(s.ordersOf("1")).hasSize(2);
    assertThat(s.repo.calls).hasValue(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"L1", "L2", "BOTH"})
  void aBulkReadCallsTheMethodWithTheMissingKeysOnly(String layers) {
    UserService s = service(Layers.valueOf(layers));
    s.rename("1", "Ada"); // a put: in L2 once it returns
    assertThat(s.findAll(new java.util.LinkedHashSet<>(List.of("1", "2", "404"))))
        .containsExactly(Map.entry("1", new User("1", "Ada")), Map.entry("2", new User("2", "Alan")));
    assertThat(s.repo.bulkCalls).containsExactly(List.of("2", "404"));
    assertThat(s.findAll(Set.of("1", "2"))).hasSize(2);
    assertThat(s.repo.bulkCalls).as("everything cached: no call").hasSize(1);
  }

  @Test
  @Timeout(30)
  void concurrentCallsForOneKeyRunTheMethodOnce() throws Exception {
    UserService s = service(Layers.BOTH);
    s.repo.gate = new CountDownLatch(1);
    List<Future<User>> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      calls.add(pool.submit(() -> s.find("3")));
    }
    while (s.repo.calls.get() == 0) {
      Thread.sleep(1);
    }
    Thread.sleep(100); // let the others queue up behind the running call
    s.repo.gate.countDown();
    for (Future<User> f : calls) {
      assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(new User("3", "Grace"));
    }
    assertThat(s.repo.calls).hasValue(1);
  }

  static class TracedAndCached {
    final AtomicInteger calls = new AtomicInteger();

    @Traced
    @Cached(cache = "users")
    String find(String id) {
      calls.incrementAndGet();
      return "user " + id;
    }
  }

  @Test
  void aTracedSpanCoversTheCacheLookupSoAHitIsTracedToo() {
    hyperion.testkit.RecordingTracer tracer = new hyperion.testkit.RecordingTracer();
    TracedAndCached s = injector(Layers.L1, m -> {
      m.bind(TracedAndCached.class);
      OptionalBinder.newOptionalBinder(m, Tracer.class).setBinding().toInstance(tracer);
    }).getInstance(TracedAndCached.class);
    assertThat(s.find("1")).isEqualTo("user 1");
    assertThat(s.find("1")).isEqualTo("user 1");
    assertThat(s.calls).hasValue(1);
    assertThat(tracer.finished()).filteredOn(span -> span.name.equals("TracedAndCached.find")).hasSize(2);
  }

  // ---------------------------------------------------------------- misuse

  static class BadTemplate {
    @Cached(cache = "users", key = "{0")
    String find(String id) {
      return id;
    }
  }

  static class UnknownParameter {
    @Cached(cache = "users", key = "{user.id}")
    String find(String id) {
      return id;
    }
  }

  static class UnknownProperty {
    @Cached(cache = "users", key = "{user.email}")
    String find(User user) {
      return user.id();
    }
  }

  static class UnknownCache {
    @Cached(cache = "user")
    String find(String id) {
      return id;
    }
  }

  static class PrivateMethod {
    String call(String id) {
      return find(id);
    }

    @Cached(cache = "users")
    private String find(String id) {
      return id;
    }
  }

  static class FinalMethod {
    @CachePut(cache = "users")
    final String find(String id) {
      return id;
    }
  }

  static class StaticMethod {
    @CacheInvalidate(cache = "users")
    static void remove(String id) {}
  }

  static final class FinalClass {
    @Cached(cache = "users")
    String find(String id) {
      return id;
    }
  }

  static class BadTtl {
    @Cached(cache = "users", ttl = "ten minutes")
    String find(String id) {
      return id;
    }
  }

  static class VoidMethod {
    @Cached(cache = "users")
    void find(String id) {}
  }

  static class TwoParametersNoKey {
    @Cached(cache = "users")
    String find(String id, int n) {
      return id;
    }
  }

  static class BulkWithoutMap {
    @Cached(cache = "users", bulk = true)
    List<String> find(List<String> ids) {
      return ids;
    }
  }

  static class Wildcard {
    @Cached(cache = "users")
    List<? extends User> find(String id) {
      return List.of();
    }
  }

  @ParameterizedTest
  @ValueSource(classes = {BadTemplate.class, UnknownParameter.class, UnknownProperty.class, UnknownCache.class,
      PrivateMethod.class, FinalMethod.class, StaticMethod.class, FinalClass.class, BadTtl.class, VoidMethod.class,
      TwoParametersNoKey.class, BulkWithoutMap.class, Wildcard.class})
  void misuseFailsInjectorCreationNamingTheMethod(Class<?> service) {
    String method = service.getName() + "." + (service == StaticMethod.class ? "remove" : "find") + "(";
    assertThatThrownBy(() -> injector(Layers.L1, m -> m.bind(service)))
        .isInstanceOf(CreationException.class)
        .hasMessageContaining(method);
  }

  @Test
  void misuseMessagesSayWhatIsWrong() {
    assertThatThrownBy(() -> injector(Layers.L1, m -> m.bind(BadTemplate.class)))
        .hasMessageContaining("bad key template \"{0\": '{' at position 0 is not closed");
    assertThatThrownBy(() -> injector(Layers.L1, m -> m.bind(UnknownCache.class)))
        .hasMessageContaining("unknown cache 'user': declare it under cache.user in the configuration"
            + " (declared: [orders, users])"); // as docs/caching.md shows it: cache.default is no cache
    assertThatThrownBy(() -> injector(Layers.L1, m -> m.bind(UnknownProperty.class)))
        .hasMessageContaining("'email' is not a record component or public accessor");
    assertThatThrownBy(() -> injector(Layers.L1, m -> m.bind(PrivateMethod.class)))
        .hasMessageContaining("Guice cannot intercept a method that is private");
    assertThatThrownBy(() -> injector(Layers.L1, m -> m.bind(BadTtl.class)))
        .hasMessageContaining("ttl \"ten minutes\" is not a duration");
  }

  @Test
  void anObjectGuiceDoesNotConstructFailsInjectorCreation() {
    String method = UserService.class.getName() + ".find(";
    assertThatThrownBy(() -> injector(Layers.L1, m -> m.bind(UserService.class)
        .toInstance(new UserService(new Repository()))))
        .isInstanceOf(CreationException.class).hasMessageContaining(method).hasMessageContaining("toInstance");
    assertThatThrownBy(() -> injector(Layers.L1, new AbstractModule() {
      @Provides
      UserService users() {
        return new UserService(new Repository());
      }
    })).isInstanceOf(CreationException.class).hasMessageContaining(method).hasMessageContaining("@Provides");
  }
}
