package hyperion;

import hyperion.cache.CacheArguments;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link CacheManager} used when no cache adapter is installed: caches that store nothing, so
 * every read misses and {@code getOrLoad} always runs the loader. The application still works,
 * just uncached.
 */
final class NoopCacheManager implements CacheManager {
  private final Map<String, Cache> caches = new ConcurrentHashMap<>();

  @Override
  public Cache cache(String name) {
    return caches.computeIfAbsent(Objects.requireNonNull(name, "name"), NoopCache::new);
  }

  @Override
  public String toString() {
    return "NoopCacheManager";
  }

  private record NoopCache(String name) implements Cache {
    @Override
    public <T> Optional<T> get(String key, Class<T> type) {
      CacheArguments.key(key);
      return Optional.empty();
    }


    @Override
    public void put(String key, Object value, Duration ttl) {
      CacheArguments.entry(key, value, ttl);
    }

    @Override
    public <T> T getOrLoad(String key, Class<T> type, Duration ttl, Loader<? extends T> loader) {
      CacheArguments.key(key);
      CacheArguments.ttl(ttl);
      Objects.requireNonNull(loader, "loader");
      return CacheArguments.load(name, key, loader);
    }



    @Override
    public boolean delete(String key) {
      CacheArguments.key(key);
      return false;
    }

    @Override
    public boolean exists(String key) {
      CacheArguments.key(key);
      return false;
    }

    @Override
    public void clear() {}
  }
}
