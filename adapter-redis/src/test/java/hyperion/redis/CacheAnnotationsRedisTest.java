package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Module;
import hyperion.CacheInvalidate;
import hyperion.CachePut;
import hyperion.Cached;
import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The caching annotations over Caffeine (L1) and a real redis-server (L2): two service instances
 * (two injectors) share one Redis, so what one instance loads the other reads from L2, decoded from
 * JSON as the method's generic return type.
 */
class CacheAnnotationsRedisTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();
  static final Duration BOUND = Duration.ofSeconds(5);

  record User(String id, String name) {}

  record Order(String id, String userId, long cents) {}

  /** The database both instances share, counting calls. */
  static final class Database {
    final Map<String, User> users = new ConcurrentHashMap<>();
    final AtomicInteger calls = new AtomicInteger();
    final List<List<String>> bulkCalls = new CopyOnWriteArrayList<>();
    volatile CountDownLatch gate;

    User user(String id) {
      calls.incrementAndGet();
      CountDownLatch g = gate;
      if (g != null) {
        try {
          g.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return users.get(id);
    }

    List<Order> orders(String userId) {
      calls.incrementAndGet();
      return List.of(new Order("o1-" + userId, userId, 4200), new Order("o2-" + userId, userId, 1250));
    }
  }

  static class UserService {
    final Database db;

    @Inject
    UserService(Database db) {
      this.db = db;
    }

    @Cached(cache = "users", key = "{id}", ttl = "10m")
    User find(String id) {
      return db.user(id);
    }

    @Cached(cache = "users", bulk = true)
    Map<String, User> findAll(List<String> ids) {
      db.bulkCalls.add(List.copyOf(ids));
      Map<String, User> found = new LinkedHashMap<>();
      for (String id : ids) {
        User u = db.users.get(id);
        if (u != null) {
          found.put(id, u);
        }
      }
      return found;
    }

    @CachePut(cache = "users", key = "{id}")
    User rename(String id, String name) {
      User u = new User(id, name);
      db.users.put(id, u);
      return u;
    }

    @CacheInvalidate(cache = "users", key = "{id}")
    void remove(String id) {
      db.users.remove(id);
    }

    @Cached(cache = "orders", key = "list:{user.id}")
    List<Order> orders(User user) {
      return db.orders(user.id());
    }

    @Cached(cache = "orders", key = "map:{0}")
    Map<String, Order> ordersById(String userId) {
      Map<String, Order> m = new LinkedHashMap<>();
      db.orders(userId).forEach(o -> m.put(o.id(), o));
      return m;
    }

    @Cached(cache = "remote", key = "{0}")
    Optional<List<Order>> remoteOrders(String userId) {
      return Optional.of(db.orders(userId));
    }

    @Cached(cache = "orders", key = "async:{0}")
    CompletionStage<List<Order>> ordersAsync(String userId) {
      return CompletableFuture.supplyAsync(() -> db.orders(userId));
    }
  }

  static final Database db = new Database();
  static Hyperion a;
  static Hyperion b;
  static final ExecutorService pool = Executors.newCachedThreadPool();

  static String yaml() {
    return RedisTesting.yaml(redis) + """
        cache:
          users:
            ttl_jitter: 0
          orders:
            ttl_jitter: 0
          remote:
            layers: l2
        """;
  }

  static Hyperion instance(Module services) {
    return RedisTesting.start(yaml(), null, new CaffeineModule(), services);
  }

  static Module services() {
    return new AbstractModule() {
      @Override
      protected void configure() {
        bind(Database.class).toInstance(db);
        bind(UserService.class);
      }
    };
  }

  @BeforeAll
  static void start() {
    a = instance(services());
    b = instance(services());
  }

  @AfterAll
  static void stop() {
    a.close();
    b.close();
    pool.shutdownNow();
  }

  static UserService users(Hyperion app) {
    return app.injector().getInstance(UserService.class);
  }

  static void awaitInL2(String cache, String key) throws InterruptedException {
    RedisNode.await(cache + ":" + key + " in Redis", BOUND, () -> RedisTesting.inL2(a, cache, key));
  }

  @Test
  void hitMissPutAndInvalidateThroughAnnotatedMethods() throws Exception {
    db.users.put("u1", new User("u1", "Ada"));
    int before = db.calls.get();
    assertThat(users(a).find("u1")).isEqualTo(new User("u1", "Ada"));
    assertThat(users(a).find("u1")).isEqualTo(new User("u1", "Ada"));
    assertThat(db.calls.get() - before).as("A: one miss, then an L1 hit").isEqualTo(1);
    awaitInL2("users", "u1");
    assertThat(users(b).find("u1")).as("B: an L2 hit").isEqualTo(new User("u1", "Ada"));
    assertThat(db.calls.get() - before).isEqualTo(1);

    users(a).rename("u1", "Ada Lovelace");
    RedisNode.await("the put to reach B", BOUND, () -> users(b).find("u1").name().equals("Ada Lovelace"));
    assertThat(db.calls.get() - before).as("B read the put, not the database").isEqualTo(1);

    users(b).remove("u1");
    assertThat(RedisTesting.inL2(a, "users", "u1")).isFalse();
    RedisNode.await("the delete to reach A", BOUND, () -> users(a).find("u1") == null);
    assertThat(db.calls.get() - before).isGreaterThanOrEqualTo(2);
  }

  @Test
  @Timeout(60)
  void aHundredConcurrentCallsRunTheMethodOnce() throws Exception {
    db.users.put("hot", new User("hot", "Grace"));
    CountDownLatch gate = new CountDownLatch(1);
    db.gate = gate;
    int before = db.calls.get();
    try {
      List<Future<User>> calls = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        calls.add(pool.submit(() -> users(a).find("hot")));
      }
      RedisNode.await("the first call to reach the database", BOUND, () -> db.calls.get() > before);
      Thread.sleep(200); // the other 99 queue up behind the running call meanwhile
      gate.countDown();
      for (Future<User> f : calls) {
        assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo(new User("hot", "Grace"));
      }
      assertThat(db.calls.get() - before).isEqualTo(1);
    } finally {
      db.gate = null;
      gate.countDown();
    }
  }

  @Test
  void genericReturnTypesRoundTripThroughRedis() throws Exception {
    User ada = new User("g1", "Ada");
    List<Order> list = users(a).orders(ada);
    Map<String, Order> map = users(a).ordersById("g1");
    int before = db.calls.get();
    awaitInL2("orders", "list:g1");
    awaitInL2("orders", "map:g1");

    List<Order> fromL2 = users(b).orders(ada);
    assertThat(fromL2).isEqualTo(list).allSatisfy(o -> assertThat(o).isInstanceOf(Order.class));
    Map<String, Order> mapFromL2 = users(b).ordersById("g1");
    assertThat(mapFromL2).isEqualTo(map);
    assertThat(mapFromL2.values()).allSatisfy(o -> assertThat(o).isInstanceOf(Order.class));
    assertThat(db.calls.get()).as("B decoded both from Redis").isEqualTo(before);

    // layers: l2 reads Redis on every call: Optional<List<Order>> decoded each time
    Optional<List<Order>> remote = users(a).remoteOrders("g2");
    awaitInL2("remote", "g2");
    int after = db.calls.get();
    assertThat(users(a).remoteOrders("g2")).isEqualTo(remote);
    assertThat(users(b).remoteOrders("g2").orElseThrow()).allSatisfy(o -> assertThat(o).isInstanceOf(Order.class));
    assertThat(db.calls.get()).isEqualTo(after);

    List<Order> async = users(a).ordersAsync("g3").toCompletableFuture().get(5, TimeUnit.SECONDS);
    awaitInL2("orders", "async:g3");
    int afterAsync = db.calls.get();
    assertThat(users(b).ordersAsync("g3").toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(async)
        .allSatisfy(o -> assertThat(o).isInstanceOf(Order.class));
    assertThat(db.calls.get()).isEqualTo(afterAsync);
  }

  @Test
  void aBulkReadCallsTheMethodWithTheMissingKeysOnly() throws Exception {
    for (String id : List.of("b1", "b2", "b3", "b4")) {
      db.users.put(id, new User(id, "name " + id));
    }
    users(a).find("b2");
    awaitInL2("users", "b2");
    users(b).find("b3"); // in B's L1 and, soon, L2

    Map<String, User> found = users(b).findAll(List.of("b1", "b2", "b3", "b4", "missing"));
    assertThat(found.keySet()).containsExactly("b1", "b2", "b3", "b4");
    assertThat(db.bulkCalls).last().isEqualTo(List.of("b1", "b4", "missing"));
    awaitInL2("users", "b1");
    awaitInL2("users", "b4");

    int calls = db.bulkCalls.size();
    assertThat(users(a).findAll(List.of("b1", "b2", "b4"))).hasSize(3);
    assertThat(db.bulkCalls).as("A found all three in Redis").hasSize(calls);
  }

  static class Misconfigured {
    @Cached(cache = "users", key = "{0}:{2}")
    User find(String id, String tenant) {
      return null;
    }
  }

  @Test
  void misuseFailsInjectorCreationWithEveryAdapterInstalled() {
    assertThatThrownBy(() -> instance(m -> m.bind(Misconfigured.class)))
        .isInstanceOf(CreationException.class)
        .hasMessageContaining("Misconfigured.find(String, String)")
        .hasMessageContaining("{2}: the method has 2 parameters");
  }
}
