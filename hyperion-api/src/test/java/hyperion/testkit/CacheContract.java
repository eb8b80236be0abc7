package hyperion.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import hyperion.Cache;
import hyperion.CacheLoadException;
import hyperion.TypeRef;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link Cache} implementation shares: L1 adapters, L2 adapters and
 * {@code TieredCache}. Subclass it, implement {@link #newCache(String)}, and the whole kit runs
 * against your implementation.
 */
public abstract class CacheContract {

  /** A value type every layer must round-trip (records are what services should cache). */
  public record Item(String id, String name, int quantity, List<String> tags) {}

  private static final AtomicInteger NAMES = new AtomicInteger();

  /** The cache under test, fresh for each test. */
  protected Cache cache;

  /**
   * A new, empty cache called {@code name} with default settings (default TTL of minutes, no
   * negative caching). Names are unique per test, so caches never share entries.
   */
  protected abstract Cache newCache(String name) throws Exception;

  /** False for caches that store nothing (the no-op); their reads must always miss. */
  protected boolean storesValues() {
    return true;
  }

  /** A TTL short enough to wait for in a test, long enough to read the entry back first. */
  protected Duration shortTtl() {
    return Duration.ofMillis(400);
  }

  /** Releases anything {@link #newCache} created; called after each test. */
  protected void release() throws Exception {}

  @BeforeEach
  void createCache() throws Exception {
    cache = newCache("contract-" + NAMES.incrementAndGet());
  }

  @AfterEach
  void releaseCache() throws Exception {
    release();
  }

  /** A fresh cache with another name, for isolation tests. */
  protected Cache otherCache() throws Exception {
    return newCache("contract-" + NAMES.incrementAndGet());
  }

  static Item item(String id) {
    return new Item(id, "name-" + id, id.length(), List.of("a", "b"));
  }

  @Nested
  class Arguments {
    @Test
    void rejectsNullAndEmptyKeys() {
      assertThatThrownBy(() -> cache.get(null, Item.class)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("key");
      assertThatThrownBy(() -> cache.get("", Item.class)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("key");
      assertThatThrownBy(() -> cache.getIfPresent(null, Item.class)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> cache.put(null, item("1"))).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> cache.delete("")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> cache.exists(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void rejectsNullValues() {
      assertThatThrownBy(() -> cache.put("k", null)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("value");
      Map<String, Object> withNull = new LinkedHashMap<>();
      withNull.put("k", null);
      assertThatThrownBy(() -> cache.putAll(withNull, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void rejectsNonPositiveTtl() {
      assertThatThrownBy(() -> cache.put("k", item("1"), Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("ttl");
      assertThatThrownBy(() -> cache.put("k", item("1"), Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> cache.getOrLoad("k", Item.class, Duration.ZERO, k -> item(k)))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hasItsName() {
      assertThat(cache.name()).startsWith("contract-");
    }
  }

  @Nested
  class ReadWrite {
    @BeforeEach
    void onlyForStoringCaches() {
      assumeTrue(storesValues(), "this cache stores nothing");
    }

    @Test
    void putThenGetRoundTrips() {
      cache.put("k1", item("k1"));
      assertThat(cache.get("k1", Item.class)).contains(item("k1"));
      assertThat(cache.getEntry("k1", Item.class)).hasValueSatisfying(e -> {
        assertThat(e.value()).isEqualTo(item("k1"));
        if (e.ttl() != null) {
          assertThat(e.ttl()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(60));
        }
      });
    }

    @Test
    void getIfPresentIsGetWithoutTheOptional() {
      cache.put("k1", item("k1"));
      assertThat(cache.getIfPresent("k1", Item.class)).isEqualTo(item("k1"));
      assertThat(cache.getIfPresent("absent", Item.class)).isNull();
      assertThat(cache.getIfPresent("k1", String.class)).isNull();
    }

    @Test
    void roundTripsStringsAndNumbers() {
      cache.put("s", "text");
      cache.put("n", 42L);
      assertThat(cache.get("s", String.class)).contains("text");
      assertThat(cache.get("n", Long.class)).contains(42L);
    }

    @Test
    void putOverwrites() {
      cache.put("k", item("a"));
      cache.put("k", item("bb"));
      assertThat(cache.get("k", Item.class)).contains(item("bb"));
    }

    @Test
    void missingKeyIsEmpty() {
      assertThat(cache.get("absent", Item.class)).isEmpty();
      assertThat(cache.exists("absent")).isFalse();
    }

    @Test
    void wrongTypeIsAMissNotAnException() {
      cache.put("k", "a string");
      assertThat(cache.get("k", Item.class)).isEmpty();
    }

    @Test
    void existsAndDelete() {
      cache.put("k", item("k"));
      assertThat(cache.exists("k")).isTrue();
      cache.delete("k");
      assertThat(cache.exists("k")).isFalse();
      assertThat(cache.get("k", Item.class)).isEmpty();
    }

    @Test
    void clearRemovesOnlyThisCache() throws Exception {
      Cache other = otherCache();
      cache.put("a", item("a"));
      cache.put("b", item("b"));
      other.put("a", item("other"));
      cache.clear();
      assertThat(cache.exists("a")).isFalse();
      assertThat(cache.exists("b")).isFalse();
      assertThat(other.get("a", Item.class)).contains(item("other"));
    }

    @Test
    void putAllThenGetAll() {
      Map<String, Item> entries = new LinkedHashMap<>();
      for (int i = 0; i < 20; i++) {
        entries.put("key" + i, item("key" + i));
      }
      cache.putAll(entries, null);
      List<String> keys = new ArrayList<>(entries.keySet());
      keys.add("missing");
      Map<String, Item> read = cache.getAll(keys, Item.class);
      assertThat(read).isEqualTo(entries);
    }

    @Test
    void unicodeKeysRoundTripAndStayApart() {
      // Remote layers send keys as UTF-8 (and Redis Cluster hashes those bytes to a slot): keys that
      // differ only beyond ASCII, or only in their composition, are different keys.
      List<String> keys = List.of("ключ", "ключ-2", "键", "emoji-\uD83D\uDE00", "e\u0301", "\u00e9");
      Map<String, Item> entries = new LinkedHashMap<>();
      keys.forEach(k -> entries.put(k, item(k)));
      keys.forEach(k -> cache.put(k, item(k)));
      for (String k : keys) {
        assertThat(cache.get(k, Item.class)).as(k).contains(item(k));
      }
      assertThat(cache.getAll(keys, Item.class)).containsExactlyEntriesOf(entries);
    }

    @Test
    void perEntryTtlExpires() throws InterruptedException {
      cache.put("short", item("short"), shortTtl());
      cache.put("long", item("long"), Duration.ofMinutes(5));
      assertThat(cache.get("short", Item.class)).contains(item("short"));
      long deadline = System.nanoTime() + shortTtl().toNanos() + TimeUnit.SECONDS.toNanos(5);
      while (cache.exists("short") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(cache.get("short", Item.class)).isEmpty();
      assertThat(cache.get("long", Item.class)).contains(item("long"));
    }
  }

  /** The {@link TypeRef} forms: a generic value type comes back as exactly that type from every layer. */
  @Nested
  class GenericTypes {
    final TypeRef<List<Item>> listOfItems = new TypeRef<List<Item>>() {};
    final TypeRef<Map<String, Item>> itemsById = new TypeRef<Map<String, Item>>() {};

    @Test
    void aListOfRecordsReadsBackAsThatList() {
      assumeTrue(storesValues(), "this cache stores nothing");
      List<Item> items = List.of(item("a"), item("bb"));
      cache.put("list", items);
      List<Item> read = cache.getIfPresent("list", listOfItems);
      assertThat(read).isEqualTo(items);
      assertThat(read.get(0)).isInstanceOf(Item.class);
      assertThat(cache.getAll(List.of("list", "missing"), listOfItems)).containsOnlyKeys("list")
          .allSatisfy((k, v) -> assertThat(v).containsExactlyElementsOf(items).first().isInstanceOf(Item.class));
      assertThat(cache.getIfPresent("missing", listOfItems)).isNull();
    }

    @Test
    void getOrLoadOfAMapLoadsOnceAndReadsBackItsValueType() {
      AtomicInteger runs = new AtomicInteger();
      Cache.Loader<Map<String, Item>> loader = k -> {
        runs.incrementAndGet();
        return Map.of("x", item("x"), "yy", item("yy"));
      };
      Map<String, Item> first = cache.getOrLoad("map", itemsById, null, loader);
      Map<String, Item> second = cache.getOrLoad("map", itemsById, null, loader);
      assertThat(second).isEqualTo(first).containsEntry("x", item("x"));
      assertThat(second.get("yy")).isInstanceOf(Item.class);
      assertThat(runs).hasValue(storesValues() ? 1 : 2);
    }

    @Test
    void typeRefsNameTheirTypeAndCompareByIt() {
      assertThat(listOfItems.type().getTypeName()).isEqualTo("java.util.List<" + Item.class.getName() + ">");
      assertThat(listOfItems.rawType()).isEqualTo(List.class);
      assertThat(listOfItems).isEqualTo(new TypeRef<List<Item>>() {}).isNotEqualTo(itemsById);
      assertThat(TypeRef.of(int.class).rawType()).isEqualTo(Integer.class);
    }
  }

  @Nested
  class Loading {
    @Test
    void loaderResultIsReturned() {
      assertThat(cache.getOrLoad("k", Item.class, null, CacheContract::item)).isEqualTo(item("k"));
    }

    @Test
    void secondCallIsServedFromTheCache() {
      assumeTrue(storesValues(), "this cache stores nothing");
      AtomicInteger runs = new AtomicInteger();
      Cache.Loader<Item> loader = k -> {
        runs.incrementAndGet();
        return item(k);
      };
      cache.getOrLoad("k", Item.class, null, loader);
      assertThat(cache.getOrLoad("k", Item.class, null, loader)).isEqualTo(item("k"));
      assertThat(runs).hasValue(1);
      assertThat(cache.get("k", Item.class)).contains(item("k"));
    }

    @Test
    void storesNothingRunsTheLoaderEveryTime() {
      assumeTrue(!storesValues(), "only for caches that store nothing");
      AtomicInteger runs = new AtomicInteger();
      cache.put("k", item("k"));
      assertThat(cache.get("k", Item.class)).isEmpty();
      cache.getOrLoad("k", Item.class, null, k -> item(k + runs.incrementAndGet()));
      cache.getOrLoad("k", Item.class, null, k -> item(k + runs.incrementAndGet()));
      assertThat(runs).hasValue(2);
    }

    @Test
    void nullMeansNotFoundAndIsNotCachedByDefault() {
      AtomicInteger runs = new AtomicInteger();
      Cache.Loader<Item> none = k -> {
        runs.incrementAndGet();
        return null;
      };
      assertThat(cache.getOrLoad("k", Item.class, null, none)).isNull();
      assertThat(cache.getOrLoad("k", Item.class, null, none)).isNull();
      assertThat(runs).hasValue(2);
      assertThat(cache.exists("k")).isFalse();
    }

    @Test
    void uncheckedLoaderFailurePropagatesAndCachesNothing() {
      IllegalStateException boom = new IllegalStateException("boom");
      assertThatThrownBy(() -> cache.getOrLoad("k", Item.class, null, k -> {
        throw boom;
      })).isSameAs(boom);
      assertThat(cache.exists("k")).isFalse();
      assertThat(cache.getOrLoad("k", Item.class, null, CacheContract::item)).isEqualTo(item("k"));
    }

    @Test
    void checkedLoaderFailureIsWrapped() {
      IOException io = new IOException("disk");
      assertThatThrownBy(() -> cache.getOrLoad("k", Item.class, null, k -> {
        throw io;
      })).isInstanceOf(CacheLoadException.class).hasCause(io).hasMessageContaining("'k'");
      assertThat(cache.exists("k")).isFalse();
    }

    /**
     * Releases {@code callers} threads at once into {@code getOrLoad(key, loader)} and returns, per
     * caller, what it got: the value, or the failure it saw.
     */
    private List<Future<Item>> race(int callers, String key, Cache.Loader<Item> loader) throws Exception {
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(callers);
      try {
        List<Future<Item>> results = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
          results.add(pool.submit(() -> {
            go.await();
            return cache.getOrLoad(key, Item.class, null, loader);
          }));
        }
        go.countDown();
        for (Future<Item> f : results) {
          try {
            f.get(20, TimeUnit.SECONDS);
          } catch (java.util.concurrent.ExecutionException e) {
            // inspected by the caller
          }
        }
        return results;
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    @Timeout(30)
    void concurrentLoadsOfOneKeyRunTheLoaderOnce() throws Exception {
      assumeTrue(storesValues(), "this cache stores nothing");
      AtomicInteger runs = new AtomicInteger();
      List<Future<Item>> results = race(100, "hot", k -> {
        runs.incrementAndGet();
        Thread.sleep(300); // long enough for every caller to arrive while the load runs
        return item(k);
      });
      for (Future<Item> f : results) {
        assertThat(f.get()).isEqualTo(item("hot"));
      }
      assertThat(runs).hasValue(1);
    }

    @Test
    @Timeout(30)
    void aFailingLoadFailsEveryWaiterAndCachesNothing() throws Exception {
      int callers = 20;
      AtomicInteger runs = new AtomicInteger();
      List<Future<Item>> results = race(callers, "bad", k -> {
        runs.incrementAndGet();
        Thread.sleep(200);
        throw new IllegalStateException("load failed");
      });
      for (Future<Item> f : results) {
        assertThatThrownBy(f::get).hasRootCauseMessage("load failed");
      }
      assertThat(cache.exists("bad")).isFalse();
      if (storesValues()) {
        assertThat(runs.get()).isLessThan(callers); // coalesced, though a late caller may retry
      }
    }
  }
}
