package hyperion.testkit;

import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.cache.CacheArguments;
import hyperion.cache.LoadCoalescer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * An in-memory {@link CacheManager} for tests: a stand-in L2 with a controllable clock and fault
 * injection ({@link #failWith}, {@link #hangFor}), so tiered behaviour can be tested without a
 * server. It passes the {@link CacheContract}.
 */
public final class InMemoryCacheManager implements CacheManager {

  private final Map<String, InMemoryCache> caches = new ConcurrentHashMap<>();
  private final LongSupplier nanos;
  private final Duration defaultTtl;
  private volatile RuntimeException failure;
  private volatile Duration hang = Duration.ZERO;
  /** Every call that reached a cache (reads, writes, deletes), for tests that count L2 traffic. */
  public final AtomicLong calls = new AtomicLong();

  /** A manager on the system clock with a 5 minute default TTL. */
  public InMemoryCacheManager() {
    this(System::nanoTime, Duration.ofMinutes(5));
  }

  /** A manager on {@code nanos} (a fake ticker in tests) with {@code defaultTtl}. */
  public InMemoryCacheManager(LongSupplier nanos, Duration defaultTtl) {
    this.nanos = nanos;
    this.defaultTtl = defaultTtl;
  }

  /** From now on every call throws {@code failure}; {@code null} heals. */
  public void failWith(RuntimeException failure) {
    this.failure = failure;
  }

  /** From now on every call sleeps {@code hang} first; zero heals. */
  public void hangFor(Duration hang) {
    this.hang = hang;
  }

  @Override
  public Cache cache(String name) {
    return caches.computeIfAbsent(Objects.requireNonNull(name, "name"), InMemoryCache::new);
  }

  private record Stored(Object value, long expiresAt) {}

  private final class InMemoryCache implements Cache {
    private final String name;
    private final Map<String, Stored> map = new ConcurrentHashMap<>();
    private final LoadCoalescer loads = new LoadCoalescer();

    InMemoryCache(String name) {
      this.name = name;
    }

    private void fault() {
      calls.incrementAndGet();
      Duration h = hang;
      if (!h.isZero()) {
        try {
          Thread.sleep(h.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while hanging", e);
        }
      }
      RuntimeException f = failure;
      if (f != null) {
        throw f;
      }
    }

    private Stored live(String key) {
      Stored s = map.get(key);
      if (s != null && s.expiresAt - nanos.getAsLong() <= 0) {
        map.remove(key, s);
        return null;
      }
      return s;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public <T> Optional<T> get(String key, Class<T> type) {
      return getEntry(key, type).map(Entry::value);
    }

    @Override
    public <T> Optional<Entry<T>> getEntry(String key, Class<T> type) {
      CacheArguments.key(key);
      fault();
      Stored s = live(key);
      if (s == null || !type.isInstance(s.value)) {
        return Optional.empty();
      }
      return Optional.of(new Entry<>(type.cast(s.value), Duration.ofNanos(s.expiresAt - nanos.getAsLong())));
    }


    @Override
    public void put(String key, Object value, Duration ttl) {
      CacheArguments.entry(key, value, ttl);
      fault();
      map.put(key, new Stored(value, nanos.getAsLong() + (ttl == null ? defaultTtl : ttl).toNanos()));
    }

    @Override
    public <T> T getOrLoad(String key, Class<T> type, Duration ttl, Loader<? extends T> loader) {
      CacheArguments.key(key);
      CacheArguments.ttl(ttl);
      Optional<T> hit = get(key, type);
      if (hit.isPresent()) {
        return hit.get();
      }
      Object v = loads.run(key, () -> {
        T value = CacheArguments.load(name, key, loader);
        if (value != null) {
          put(key, value, ttl);
        }
        return value;
      });
      return type.isInstance(v) ? type.cast(v) : null;
    }



    @Override
    public boolean delete(String key) {
      CacheArguments.key(key);
      fault();
      return map.remove(key) != null;
    }

    @Override
    public boolean exists(String key) {
      CacheArguments.key(key);
      fault();
      return live(key) != null;
    }

    @Override
    public void clear() {
      fault();
      map.clear();
    }
  }
}
