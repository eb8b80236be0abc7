package hyperion.redis;

import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Counter;
import hyperion.Metrics;
import hyperion.config.CacheConfig;
import hyperion.config.Config;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** The {@code @L2 CacheManager}: one {@link RedisCache} per name, sharing the client's connection. */
@Singleton
final class RedisCacheManager implements CacheManager {
  private final Map<String, RedisCache> caches = new ConcurrentHashMap<>();
  private final CacheConfig cacheConfig;
  private final String keyPrefix;
  private final int maxValueBytes;
  private final RedisOps ops;
  private final Codec codec;
  private final Counter oversize;
  private final Counter decodeErrors;

  @Inject
  RedisCacheManager(Config config, RedisConfig redis, RedisOps ops, Codec codec, Metrics metrics) {
    this.cacheConfig = config.cache();
    this.keyPrefix = keyPrefix(redis, config);
    this.maxValueBytes = redis.maxValueBytes();
    this.ops = ops;
    this.codec = codec;
    this.oversize = metrics.counter("hyperion_cache_l2_oversize_total",
        "Values not written to L2 because they exceed redis.max_value_bytes, by cache", "cache");
    this.decodeErrors = metrics.counter("hyperion_cache_l2_decode_errors_total",
        "L2 entries that could not be decoded (corrupt or of another type) and were treated as misses, by cache",
        "cache");
  }

  /** {@code redis.key_prefix}, else {@code <service.name>:}. */
  static String keyPrefix(RedisConfig redis, Config config) {
    return redis.keyPrefix() != null ? redis.keyPrefix() : config.service().name() + ":";
  }

  /**
   * The cache named {@code name}. Names may not contain {@code ':'}, the separator of the key
   * layout {@code <prefix><cache>:<key>}, so one cache's keys can never match another's.
   */
  @Override
  public Cache cache(String name) {
    Objects.requireNonNull(name, "name");
    RedisCache cache = caches.get(name);
    if (cache != null) {
      return cache;
    }
    if (name.isEmpty() || name.indexOf(':') >= 0 || name.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      throw new IllegalArgumentException("cache name must be non-empty, without ':' or whitespace, got '" + name + "'");
    }
    return caches.computeIfAbsent(name, n -> new RedisCache(n, keyPrefix, cacheConfig.spec(n).defaultTtl(),
        maxValueBytes, ops, codec, oversize, decodeErrors));
  }

  @Override
  public String toString() {
    return "RedisCacheManager[prefix=" + keyPrefix + "]";
  }
}
