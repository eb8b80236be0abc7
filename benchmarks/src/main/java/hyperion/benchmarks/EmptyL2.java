package hyperion.benchmarks;

import hyperion.Cache;
import hyperion.CacheManager;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * An L2 layer that holds nothing, so a {@link hyperion.cache.TieredCache} can be composed in the
 * L1 suite without a Redis server. An L1 hit never reaches it.
 */
final class EmptyL2 implements CacheManager {

  @Override
  public Cache cache(String name) {
    return new Cache() {
      @Override public String name() { return name; }
      @Override public <T> Optional<T> get(String key, Class<T> type) { return Optional.empty(); }
      @Override public void put(String key, Object value) {}
      @Override public void put(String key, Object value, Duration ttl) {}
      @Override public <T> T getOrLoad(String key, Class<T> type, Duration ttl, Loader<? extends T> loader) {
        try {
          return loader.load(key);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
      @Override public <T> Map<String, T> getAll(Collection<String> keys, Class<T> type) { return Map.of(); }
      @Override public void putAll(Map<String, ?> entries, Duration ttl) {}
      @Override public boolean delete(String key) { return false; }
      @Override public boolean exists(String key) { return false; }
      @Override public void clear() {}
    };
  }
}
