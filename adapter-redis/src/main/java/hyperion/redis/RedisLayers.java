package hyperion.redis;

import hyperion.cache.RemoteLayer;
import hyperion.config.CacheSpec;
import hyperion.config.Config;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** The {@link RemoteLayer.Factory} that {@link RedisModule} binds: one {@link RedisLayer} per cache, sharing the connection. */
@Singleton
final class RedisLayers implements RemoteLayer.Factory {
  private final String keyPrefix;
  private final int maxValueBytes;
  private final RedisClients clients;
  private final Codec codec;
  private final RedisErrors errors;

  @Inject
  RedisLayers(Config config, RedisConfig redis, RedisClients clients, Codec codec, RedisErrors errors) {
    this.keyPrefix = keyPrefix(redis, config);
    this.maxValueBytes = redis.maxValueBytes();
    this.clients = clients;
    this.codec = codec;
    this.errors = errors;
  }

  /** {@code redis.key_prefix}, else {@code <service.name>:}. */
  static String keyPrefix(RedisConfig redis, Config config) {
    return redis.keyPrefix() != null ? redis.keyPrefix() : config.service().name() + ":";
  }

  @Override
  public RemoteLayer create(String name, CacheSpec spec) {
    return new RedisLayer(name, keyPrefix, maxValueBytes, Math.max(1, spec.tombstoneTtl().toMillis()),
        spec.staleIfError().toMillis(), clients, codec, errors);
  }

  @Override
  public String toString() {
    return "RedisLayers[prefix=" + keyPrefix + "]";
  }
}
