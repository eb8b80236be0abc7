package hyperion.redis;

import hyperion.cache.RejectedValueException;
import hyperion.cache.RemoteEntry;
import hyperion.cache.RemoteLayer;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * One named cache in Redis: keys {@code <prefix><cache>:<key>}, values in the {@link StoredEntry}
 * format. With {@code stale_if_error} a value's Redis TTL ({@code PX}) is that much longer than the
 * expiry in its header, so a failing load can still serve it; reads report it as present. Every method issues its commands at once on the shared connection and returns Lettuce's
 * future (mapped in one step); nothing waits here and nothing is swallowed. Lettuce bounds what a
 * hung server can hold up: commands are rejected while disconnected, the queue per connection is
 * {@code redis.request_queue_size}, and each command times out after {@code redis.command_timeout}.
 */
final class RedisLayer implements RemoteLayer {
  private static final int SCAN_COUNT = 500;

  /** Writes ARGV[2] for ARGV[3] ms if the key's first 26 bytes are still the header ARGV[1]. */
  private static final String SET_IF_HEADER = """
      if redis.call('GETRANGE', KEYS[1], 0, 25) == ARGV[1] then
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        return 1
      end
      return 0""";

  /** Writes ARGV[2] for ARGV[3] ms if the key still holds exactly ARGV[1] (a value without header). */
  private static final String SET_IF_VALUE = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        return 1
      end
      return 0""";

  /**
   * Replaces the key with the tombstone ARGV[1] for ARGV[2] ms; returns 1 if a value (not nothing,
   * not a tombstone, whose first two bytes are ARGV[3]) was there.
   */
  private static final String DELETE = """
      local head = redis.call('GETRANGE', KEYS[1], 0, 1)
      redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
      if head == '' or head == ARGV[3] then
        return 0
      end
      return 1""";

  /** Writes ARGV[i] to KEYS[i] for ARGV[#KEYS + 1] ms, every key in one step. */
  private static final String SET_ALL = """
      local px = ARGV[#KEYS + 1]
      for i = 1, #KEYS do
        redis.call('SET', KEYS[i], ARGV[i], 'PX', px)
      end
      return #KEYS""";

  /** Deletes KEYS[1] if it still holds the token ARGV[1]: only the lease's holder releases it. */
  private static final String RELEASE_LEASE = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('DEL', KEYS[1])
      end
      return 0""";

  private static final byte[] TOMBSTONE_PREFIX = StoredEntry.tombstonePrefix();

  private final String name;
  private final String prefix;
  /**
   * Where load leases live: {@code <prefix>:lease:<cache>:<key>}. It starts with a {@code ':'} after
   * the prefix, where no cache key can (cache names are non-empty and have no {@code ':'}).
   */
  private final String leasePrefix;
  private final int maxValueBytes;
  private final long tombstoneMillis;
  /** {@code stale_if_error}: how much longer than their TTL values stay in Redis. */
  private final long staleMillis;
  private final RedisClients clients;
  private final Codec codec;
  private final RedisErrors errors;
  private final Map<String, Object> spanAttributes;

  RedisLayer(String name, String keyPrefix, int maxValueBytes, long tombstoneMillis, long staleMillis,
      RedisClients clients, Codec codec, RedisErrors errors) {
    this.name = name;
    this.prefix = keyPrefix + name + ":";
    this.leasePrefix = keyPrefix + ":lease:" + name + ":";
    this.maxValueBytes = maxValueBytes;
    this.tombstoneMillis = tombstoneMillis;
    this.staleMillis = staleMillis;
    this.clients = clients;
    this.codec = codec;
    this.errors = errors;
    this.spanAttributes = Map.of("db.system.name", "redis", "db.namespace",
        String.valueOf(clients.config().database()), "server.address", clients.serverAddress(), "server.port",
        (long) clients.serverPort());
  }

  /** The Redis key of {@code key}. */
  String redisKey(String key) {
    return prefix + key;
  }

  @Override
  public CompletionStage<RemoteEntry> get(String key) {
    RedisClusterAsyncCommands<String, byte[]> c = clients.commands();
    if (c == null) {
      return errors.notConnected(clients);
    }
    return errors.map(c.get(prefix + key), bytes -> StoredEntry.read(bytes, codec));
  }

  @Override
  public CompletionStage<List<RemoteEntry>> getAll(List<String> keys) {
    RedisClusterAsyncCommands<String, byte[]> c = clients.commands();
    if (c == null) {
      return errors.notConnected(clients);
    }
    String[] redisKeys = new String[keys.size()];
    for (int i = 0; i < redisKeys.length; i++) {
      redisKeys[i] = prefix + keys.get(i);
    }
    // In Cluster mode Lettuce splits MGET by hash slot and merges the replies in key order.
    return errors.map(c.mget(redisKeys), values -> {
      List<RemoteEntry> out = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        KeyValue<String, byte[]> kv = i < values.size() ? values.get(i) : null;
        out.add(StoredEntry.read(kv != null && kv.hasValue() ? kv.getValue() : null, codec));
      }
      return out;
    });
  }

  @Override
  public CompletionStage<Boolean> exists(String key) {
    RedisClusterAsyncCommands<String, byte[]> c = clients.commands();
    if (c == null) {
      return errors.notConnected(clients);
    }
    if (staleMillis > 0) {
      // Values outlive their expiry by stale_if_error: the header's expiry tells whether it passed.
      return errors.map(c.getrange(prefix + key, 0, 9), head -> StoredEntry.liveHeader(head, System.currentTimeMillis()));
    }
    // Two bytes tell a value from a tombstone without transferring the value.
    return errors.map(c.getrange(prefix + key, 0, 1),
        head -> head != null && head.length > 0 && !Arrays.equals(head, TOMBSTONE_PREFIX));
  }

  @Override
  public CompletionStage<Void> put(String key, Object value, long ttlMillis) {
    return write(key, value, ttlMillis, true,
        (c, stored) -> errors.map(c.set(prefix + key, stored, SetArgs.Builder.px(ttlMillis + staleMillis)),
            ok -> null));
  }

  @Override
  public CompletionStage<Boolean> putIfUnchanged(String key, Object value, long ttlMillis, RemoteEntry seen) {
    StoredEntry read = (StoredEntry) seen;
    return write(key, value, ttlMillis, false, (c, stored) -> {
      if (read.absent()) {
        return errors.map(c.set(prefix + key, stored, SetArgs.Builder.nx().px(ttlMillis + staleMillis)),
            "OK"::equals);
      }
      byte[] ttl = Long.toString(ttlMillis + staleMillis).getBytes(StandardCharsets.US_ASCII);
      RedisFuture<Long> written = c.eval(read.identityIsHeader() ? SET_IF_HEADER : SET_IF_VALUE,
          ScriptOutputType.INTEGER, new String[] {prefix + key}, read.identity(), stored, ttl);
      return errors.map(written, n -> n != null && n == 1);
    });
  }

  /**
   * Encodes {@code value} and hands the stored bytes to {@code command}. A refused value fails the
   * stage; when it was too large and {@code replacing}, the key also gets a tombstone, so the old
   * value does not outlive the write that replaced it.
   */
  private <R> CompletionStage<R> write(String key, Object value, long ttlMillis, boolean replacing,
      BiFunction<RedisClusterAsyncCommands<String, byte[]>, byte[], CompletionStage<R>> command) {
    RedisClusterAsyncCommands<String, byte[]> c = clients.commands();
    if (c == null) {
      return errors.notConnected(clients);
    }
    byte[] stored;
    try {
      stored = encode(value, ttlMillis);
    } catch (RejectedValueException e) {
      if (replacing && RejectedValueException.TOO_LARGE.equals(e.reason())) {
        delete(key, tombstoneMillis);
      }
      return CompletableFuture.failedFuture(e);
    }
    return command.apply(c, stored);
  }

  /**
   * {@inheritDoc} One script call writes the whole batch atomically in standalone and Sentinel mode;
   * in Cluster mode one call per hash slot (each atomic, the batch as a whole not).
   */
  @Override
  public CompletionStage<Void> putAll(Map<String, ?> entries, long ttlMillis) {
    RedisClusterAsyncCommands<String, byte[]> c = clients.commands();
    if (c == null) {
      return errors.notConnected(clients);
    }
    Map<Integer, List<String>> keysBySlot = new LinkedHashMap<>();
    Map<Integer, List<byte[]>> valuesBySlot = new LinkedHashMap<>();
    boolean cluster = clients.config().mode() == RedisConfig.Mode.CLUSTER;
    RejectedValueException rejected = null;
    for (Map.Entry<String, ?> e : entries.entrySet()) {
      byte[] stored;
      try {
        stored = encode(e.getValue(), ttlMillis);
      } catch (RejectedValueException r) {
        rejected = rejected == null ? r : rejected;
        if (RejectedValueException.TOO_LARGE.equals(r.reason())) {
          delete(e.getKey(), tombstoneMillis);
        }
        continue;
      }
      String key = prefix + e.getKey();
      int slot = cluster ? SlotHash.getSlot(key) : 0;
      keysBySlot.computeIfAbsent(slot, s -> new ArrayList<>()).add(key);
      valuesBySlot.computeIfAbsent(slot, s -> new ArrayList<>()).add(stored);
    }
    byte[] ttl = Long.toString(ttlMillis + staleMillis).getBytes(StandardCharsets.US_ASCII);
    List<CompletableFuture<?>> writes = new ArrayList<>(keysBySlot.size());
    keysBySlot.forEach((slot, keys) -> {
      List<byte[]> args = valuesBySlot.get(slot);
      args.add(ttl);
      RedisFuture<Long> written = c.eval(SET_ALL, ScriptOutputType.INTEGER, keys.toArray(String[]::new),
          args.toArray(byte[][]::new));
      writes.add(written.toCompletableFuture());
    });
    CompletionStage<Void> all = errors.map(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)),
        v -> null);
    if (rejected == null) {
      return all;
    }
    RejectedValueException refusal = rejected;
    return all.thenCompose(v -> CompletableFuture.failedFuture(refusal));
  }

  @Override
  public CompletionStage<Boolean> delete(String key, long tombstoneMillis) {
    RedisClusterAsyncCommands<String, byte[]> c = clients.commands();
    if (c == null) {
      return errors.notConnected(clients);
    }
    byte[] ttl = Long.toString(tombstoneMillis).getBytes(StandardCharsets.US_ASCII);
    RedisFuture<Long> removed = c.eval(DELETE, ScriptOutputType.INTEGER, new String[] {prefix + key},
        StoredEntry.tombstone(tombstoneMillis), ttl, TOMBSTONE_PREFIX);
    return errors.map(removed, n -> n != null && n == 1);
  }

  /**
   * Removes this cache's keys with SCAN MATCH + UNLINK (never KEYS), one batch after another. In
   * Cluster mode every live master that serves slots is scanned in turn (failed masters are skipped:
   * their replicas hold the keys once promoted) and UNLINK is split by slot.
   */
  @Override
  public CompletionStage<Void> clear() {
    RedisClusterAsyncCommands<String, byte[]> c = clients.commands();
    if (c == null) {
      return errors.notConnected(clients);
    }
    ScanArgs args = ScanArgs.Builder.matches(globEscape(prefix) + "*").limit(SCAN_COUNT);
    CompletionStage<Void> done = CompletableFuture.completedFuture(null);
    try {
      if (c instanceof RedisAdvancedClusterAsyncCommands<String, byte[]> cluster) {
        for (RedisClusterNode node : cluster.getStatefulConnection().getPartitions()) {
          if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.is(RedisClusterNode.NodeFlag.FAIL)
              && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL) && !node.getSlots().isEmpty()) {
            RedisClusterAsyncCommands<String, byte[]> scanOn = cluster.getConnection(node.getNodeId());
            done = done.thenCompose(v -> scan(scanOn, c, args, null));
          }
        }
      } else {
        done = scan(c, c, args, null);
      }
    } catch (RuntimeException e) {
      done = CompletableFuture.failedFuture(e);
    }
    return errors.map(done, v -> null);
  }

  private static CompletionStage<Void> scan(RedisClusterAsyncCommands<String, byte[]> scanOn,
      RedisClusterAsyncCommands<String, byte[]> unlinkOn, ScanArgs args, KeyScanCursor<String> from) {
    RedisFuture<KeyScanCursor<String>> page = from == null ? scanOn.scan(args) : scanOn.scan(from, args);
    return page.thenCompose(cursor -> {
      List<String> keys = cursor.getKeys();
      CompletionStage<?> unlinked = keys.isEmpty() ? CompletableFuture.completedFuture(null)
          : unlinkOn.unlink(keys.toArray(String[]::new));
      return unlinked.thenCompose(n -> cursor.isFinished() ? CompletableFuture.<Void>completedFuture(null)
          : scan(scanOn, unlinkOn, args, cursor));
    });
  }

  /** {@inheritDoc} {@code SET <lease key> <token> NX PX <leaseMillis>}. */
  @Override
  public CompletionStage<Boolean> tryLease(String key, String token, long leaseMillis) {
    RedisClusterAsyncCommands<String, byte[]> c = clients.commands();
    if (c == null) {
      return errors.notConnected(clients);
    }
    return errors.map(c.set(leasePrefix + key, token.getBytes(StandardCharsets.UTF_8),
        SetArgs.Builder.nx().px(leaseMillis)), "OK"::equals);
  }

  /** {@inheritDoc} One script: compare the token, then delete. */
  @Override
  public CompletionStage<Boolean> releaseLease(String key, String token) {
    RedisClusterAsyncCommands<String, byte[]> c = clients.commands();
    if (c == null) {
      return errors.notConnected(clients);
    }
    RedisFuture<Long> released = c.eval(RELEASE_LEASE, ScriptOutputType.INTEGER, new String[] {leasePrefix + key},
        token.getBytes(StandardCharsets.UTF_8));
    return errors.map(released, n -> n != null && n == 1);
  }

  /** The Redis key of {@code key}'s load lease. */
  String leaseKey(String key) {
    return leasePrefix + key;
  }

  @Override
  public Map<String, Object> spanAttributes() {
    return spanAttributes;
  }

  /** The stored bytes of {@code value}, or a {@link RejectedValueException} (encode, too_large). */
  private byte[] encode(Object value, long ttlMillis) {
    byte[] payload;
    try {
      payload = codec.encode(value);
    } catch (Exception e) {
      throw new RejectedValueException(RejectedValueException.ENCODE, "a " + value.getClass().getName()
          + " could not be encoded (" + e.getClass().getSimpleName() + ")");
    }
    if (payload.length > maxValueBytes) {
      throw new RejectedValueException(RejectedValueException.TOO_LARGE, "a " + value.getClass().getName() + " of "
          + payload.length + " bytes exceeds redis.max_value_bytes=" + maxValueBytes);
    }
    return StoredEntry.value(payload, ttlMillis);
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
    return "RedisLayer[" + name + "]";
  }
}
