package hyperion.redis;

import hyperion.Cache;
import hyperion.Counter;
import hyperion.cache.CacheArguments;
import hyperion.cache.LoadCoalescer;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One named L2 cache: keys {@code <prefix><cache>:<key>}, values encoded by the {@link Codec}. Every
 * Redis failure degrades (a read misses, a write is dropped and counted); only bad arguments and
 * loader failures reach the caller.
 */
final class RedisCache implements Cache {
  private static final Logger LOG = System.getLogger(RedisCache.class.getName());
  private static final int SCAN_COUNT = 500;

  private final String name;
  private final String prefix;
  private final Duration defaultTtl;
  private final int maxValueBytes;
  private final RedisOps ops;
  private final Codec codec;
  private final Counter.Child oversize;
  private final Counter.Child decodeErrors;
  private final RateLimitedLog log = new RateLimitedLog(LOG, 10_000);
  private final LoadCoalescer loads = new LoadCoalescer();

  RedisCache(String name, String keyPrefix, Duration defaultTtl, int maxValueBytes, RedisOps ops, Codec codec,
      Counter oversize, Counter decodeErrors) {
    this.name = name;
    this.prefix = keyPrefix + name + ":";
    this.defaultTtl = defaultTtl;
    this.maxValueBytes = maxValueBytes;
    this.ops = ops;
    this.codec = codec;
    this.oversize = oversize.labels(name);
    this.decodeErrors = decodeErrors.labels(name);
  }

  @Override
  public String name() {
    return name;
  }

  /** The Redis key of {@code key}. */
  String redisKey(String key) {
    return prefix + key;
  }

  @Override
  public <T> Optional<T> get(String key, Class<T> type) {
    CacheArguments.key(key);
    Objects.requireNonNull(type, "type");
    try {
      byte[] bytes = ops.run("GET", name, c -> ops.await(c.get(redisKey(key))));
      return Optional.ofNullable(decode(bytes, type));
    } catch (RedisOps.RedisUnavailable e) {
      return Optional.empty();
    }
  }

  @Override
  public <T> Optional<Entry<T>> getEntry(String key, Class<T> type) {
    CacheArguments.key(key);
    Objects.requireNonNull(type, "type");
    try {
      Object[] read = ops.run("GET", name, c -> {
        // Pipelined: both commands are written before either reply is awaited.
        RedisFuture<byte[]> value = c.get(redisKey(key));
        RedisFuture<Long> pttl = c.pttl(redisKey(key));
        return new Object[] {ops.await(value), ops.await(pttl)};
      });
      T value = decode((byte[]) read[0], type);
      if (value == null) {
        return Optional.empty();
      }
      long millis = read[1] == null ? -1 : (Long) read[1];
      if (millis == -2) {
        return Optional.empty(); // expired between the two commands
      }
      return Optional.of(new Entry<>(value, millis >= 0 ? Duration.ofMillis(Math.max(1, millis)) : null));
    } catch (RedisOps.RedisUnavailable e) {
      return Optional.empty();
    }
  }


  @Override
  public void put(String key, Object value, Duration ttl) {
    CacheArguments.entry(key, value, ttl);
    byte[] bytes = encode(key, value);
    if (bytes == null) {
      return;
    }
    long px = millis(ttl);
    try {
      ops.run("SET", name, c -> ops.await(c.set(redisKey(key), bytes, SetArgs.Builder.px(px))));
    } catch (RedisOps.RedisUnavailable e) {
      // dropped; counted and logged by RedisOps
    }
  }

  @Override
  public <T> T getOrLoad(String key, Class<T> type, Duration ttl, Loader<? extends T> loader) {
    CacheArguments.key(key);
    CacheArguments.ttl(ttl);
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(loader, "loader");
    Optional<T> cached = get(key, type);
    if (cached.isPresent()) {
      return cached.get();
    }
    Object shared = loads.run(key, () -> loadAndStore(key, ttl, loader));
    if (shared == null || type.isInstance(shared)) {
      return type.cast(shared);
    }
    // Another caller loaded the key as another type: load our own, uncoalesced.
    return loadAndStore(key, ttl, loader);
  }

  private <T> T loadAndStore(String key, Duration ttl, Loader<? extends T> loader) {
    T value = CacheArguments.load(name, key, loader);
    if (value != null) {
      put(key, value, ttl);
    }
    return value;
  }


  @Override
  public <T> Map<String, T> getAll(Collection<String> keys, Class<T> type) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(type, "type");
    keys.forEach(CacheArguments::key);
    if (keys.isEmpty()) {
      return Map.of();
    }
    List<String> unique = new ArrayList<>(new LinkedHashSet<>(keys));
    String[] redisKeys = unique.stream().map(this::redisKey).toArray(String[]::new);
    List<KeyValue<String, byte[]>> values;
    try {
      // In Cluster mode Lettuce splits MGET by hash slot and merges the replies in key order.
      values = ops.run("MGET", name, c -> ops.await(c.mget(redisKeys)));
    } catch (RedisOps.RedisUnavailable e) {
      return Map.of();
    }
    Map<String, T> result = new LinkedHashMap<>();
    for (int i = 0; i < values.size() && i < unique.size(); i++) {
      KeyValue<String, byte[]> kv = values.get(i);
      if (kv != null && kv.hasValue()) {
        T value = decode(kv.getValue(), type);
        if (value != null) {
          result.put(unique.get(i), value);
        }
      }
    }
    return result;
  }

  @Override
  public void putAll(Map<String, ?> entries, Duration ttl) {
    Objects.requireNonNull(entries, "entries");
    entries.forEach((k, v) -> CacheArguments.entry(k, v, ttl));
    if (entries.isEmpty()) {
      return;
    }
    Map<String, byte[]> encoded = new HashMap<>();
    entries.forEach((k, v) -> {
      byte[] bytes = encode(k, v);
      if (bytes != null) {
        encoded.put(k, bytes);
      }
    });
    if (encoded.isEmpty()) {
      return;
    }
    SetArgs args = SetArgs.Builder.px(millis(ttl));
    try {
      ops.run("BATCH SET", name, c -> {
        // Pipelined: every SET is written before any reply is awaited.
        List<RedisFuture<String>> futures = new ArrayList<>(encoded.size());
        encoded.forEach((k, bytes) -> futures.add(c.set(redisKey(k), bytes, args)));
        Exception first = null;
        for (RedisFuture<String> f : futures) {
          try {
            ops.await(f);
          } catch (Exception e) {
            first = first == null ? e : first;
          }
        }
        if (first != null) {
          throw first;
        }
        return null;
      });
    } catch (RedisOps.RedisUnavailable e) {
      // dropped (some entries may have been written); counted and logged by RedisOps
    }
  }

  @Override
  public boolean delete(String key) {
    CacheArguments.key(key);
    try {
      Long removed = ops.run("UNLINK", name, c -> ops.await(c.unlink(redisKey(key))));
      return removed != null && removed > 0;
    } catch (RedisOps.RedisUnavailable e) {
      return false;
    }
  }

  @Override
  public boolean exists(String key) {
    CacheArguments.key(key);
    try {
      Long n = ops.run("EXISTS", name, c -> ops.await(c.exists(redisKey(key))));
      return n != null && n > 0;
    } catch (RedisOps.RedisUnavailable e) {
      return false;
    }
  }

  /**
   * Removes this cache's keys with SCAN MATCH + UNLINK (never KEYS). In Cluster mode every live
   * master that serves slots is scanned in turn (failed masters are skipped: their replicas hold the
   * keys once promoted) and UNLINK is split by slot.
   */
  @Override
  public void clear() {
    ScanArgs args = ScanArgs.Builder.matches(globEscape(prefix) + "*").limit(SCAN_COUNT);
    try {
      ops.run("SCAN", name, c -> {
        if (c instanceof RedisAdvancedClusterAsyncCommands<String, byte[]> cluster) {
          for (RedisClusterNode node : cluster.getStatefulConnection().getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.is(RedisClusterNode.NodeFlag.FAIL)
                && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL) && !node.getSlots().isEmpty()) {
              scanAndUnlink(cluster.getConnection(node.getNodeId()), c, args);
            }
          }
        } else {
          scanAndUnlink(c, c, args);
        }
        return null;
      });
    } catch (RedisOps.RedisUnavailable e) {
      // best effort; counted and logged by RedisOps
    }
  }

  private void scanAndUnlink(RedisClusterAsyncCommands<String, byte[]> scanOn,
      RedisClusterAsyncCommands<String, byte[]> unlinkOn, ScanArgs args) throws Exception {
    KeyScanCursor<String> cursor = ops.await(scanOn.scan(args));
    while (true) {
      List<String> keys = cursor.getKeys();
      if (!keys.isEmpty()) {
        ops.await(unlinkOn.unlink(keys.toArray(String[]::new)));
      }
      if (cursor.isFinished()) {
        return;
      }
      cursor = ops.await(scanOn.scan(cursor, args));
    }
  }

  private long millis(Duration ttl) {
    Duration d = ttl == null ? defaultTtl : ttl;
    return Math.max(1, d.toMillis());
  }

  /** The encoded value, or {@code null} (counted, logged) when it cannot or must not be written. */
  private byte[] encode(String key, Object value) {
    byte[] bytes;
    try {
      bytes = codec.encode(value);
    } catch (Exception e) {
      ops.countError("encode");
      log.log("encode", () -> "redis cache " + name + ": a " + value.getClass().getName()
          + " could not be encoded (" + e.getClass().getSimpleName() + "); not written to L2");
      return null;
    }
    if (bytes.length > maxValueBytes) {
      oversize.inc();
      log.log("oversize", () -> "redis cache " + name + ": a " + value.getClass().getName() + " of "
          + bytes.length + " bytes exceeds redis.max_value_bytes=" + maxValueBytes + "; not written to L2");
      // Remove what was there so L2 does not keep serving the value this write replaced.
      try {
        ops.run("UNLINK", name, c -> ops.await(c.unlink(redisKey(key))));
      } catch (RedisOps.RedisUnavailable ignored) {
        // counted by RedisOps
      }
      return null;
    }
    return bytes;
  }

  /** The decoded value, or {@code null} for a miss; undecodable bytes are counted and logged. */
  private <T> T decode(byte[] bytes, Class<T> type) {
    if (bytes == null) {
      return null;
    }
    try {
      T value = codec.decode(bytes, type);
      if (value != null && type.isInstance(value)) {
        return value;
      }
      throw new IllegalStateException("codec returned " + (value == null ? "null" : value.getClass().getName()));
    } catch (Exception e) {
      decodeErrors.inc();
      log.log("decode", () -> "redis cache " + name + ": an entry could not be decoded as " + type.getName()
          + " (" + e.getClass().getSimpleName() + "); treated as a miss, overwritten on the next load");
      return null;
    }
  }

  /** Escapes the glob metacharacters of SCAN MATCH. */
  static String globEscape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\' || ch == '^' || ch == '-') {
        sb.append('\\');
      }
      sb.append(ch);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "RedisCache[" + name + "]";
  }
}
