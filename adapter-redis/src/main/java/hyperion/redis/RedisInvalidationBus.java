package hyperion.redis;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.JsonNode;
import hyperion.cache.InvalidationBus;
import hyperion.internal.RateLimitedLog;
import hyperion.config.Config;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link InvalidationBus} over Redis pub/sub: one channel per service ({@code
 * redis.invalidation_channel}, default {@code <key_prefix>invalidations}). A message is a small JSON
 * object {@code {"i":instance,"c":cache,"k":[keys]}} ({@code k} absent: the whole cache), one per
 * write however many keys it wrote; an instance ignores the ones it sent. Messages of the earlier
 * format, with one key as a string, are still understood.
 *
 * <p>Classic (not sharded) pub/sub in every mode: in Cluster mode a PUBLISH reaches subscribers on
 * any node, so the subscriber may reconnect to whichever node is up. Each time the subscription is
 * re-established after a disconnect, listeners get {@link Listener#reconnected()}.
 */
@Singleton
final class RedisInvalidationBus implements InvalidationBus {
  private static final Logger LOG = System.getLogger(RedisInvalidationBus.class.getName());
  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();

  /** The wire format. */
  record Message(String i, String c, List<String> k) {}

  private final String instanceId = UUID.randomUUID().toString();
  private final String channel;
  private final RedisClients clients;
  private final RedisErrors errors;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean subscribedOnce = new AtomicBoolean();
  private final AtomicBoolean lostConnection = new AtomicBoolean();
  private final RateLimitedLog log = new RateLimitedLog(LOG, 10_000);

  @Inject
  RedisInvalidationBus(RedisClients clients, RedisErrors errors, RedisConfig redis, Config config) {
    this.channel = channel(redis, config);
    this.clients = clients;
    this.errors = errors;
    clients.onPubSub(this::attach);
  }

  static String channel(RedisConfig redis, Config config) {
    return redis.invalidationChannel() != null ? redis.invalidationChannel()
        : RedisLayers.keyPrefix(redis, config) + "invalidations";
  }

  String channel() {
    return channel;
  }

  String instanceId() {
    return instanceId;
  }

  @Override
  public CompletionStage<Void> publish(String cache, Collection<String> keys) {
    return send(new Message(instanceId, Objects.requireNonNull(cache, "cache"), List.copyOf(keys)));
  }

  @Override
  public CompletionStage<Void> publishClear(String cache) {
    return send(new Message(instanceId, Objects.requireNonNull(cache, "cache"), null));
  }

  private CompletionStage<Void> send(Message m) {
    byte[] payload;
    try {
      payload = JSON.writeValueAsBytes(m);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    var c = clients.commands();
    if (c == null) {
      return errors.notConnected(clients);
    }
    return errors.map(c.publish(channel, payload), receivers -> null);
  }

  @Override
  public void subscribe(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  private void attach(StatefulRedisPubSubConnection<String, String> connection) {
    connection.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String ch, String message) {
        if (channel.equals(ch)) {
          receive(message);
        }
      }

      @Override
      public void subscribed(String ch, long count) {
        if (!channel.equals(ch)) {
          return;
        }
        boolean first = !subscribedOnce.getAndSet(true);
        // Re-subscribed after a disconnect, or subscribed only after Redis was unreachable at start:
        // either way invalidations may have been missed.
        if (!first || lostConnection.getAndSet(false) || clients.pubSubWasLate()) {
          LOG.log(Level.INFO, "redis: invalidation bus re-subscribed to {0}; telling listeners to drop L1", channel);
          listeners.forEach(RedisInvalidationBus.this::signalReconnected);
        }
      }
    });
    connection.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        if (clients.isStopped()) {
          return;
        }
        lostConnection.set(true);
        LOG.log(Level.WARNING, "redis: invalidation bus disconnected; L1 entries may go stale until it is back");
      }
    });
    connection.async().subscribe(channel);
  }

  private void receive(String text) {
    String instance;
    String cache;
    List<String> keys;
    try {
      JsonNode m = JSON.readTree(text);
      instance = m.path("i").asText(null);
      cache = m.path("c").asText(null);
      JsonNode k = m.get("k");
      if (k == null || k.isNull()) {
        keys = null;
      } else if (k.isTextual()) {
        keys = List.of(k.asText()); // the one-key format of earlier versions
      } else if (k.isArray()) {
        keys = new java.util.ArrayList<>(k.size());
        for (JsonNode key : k) {
          keys.add(key.asText());
        }
      } else {
        throw new IllegalArgumentException("k");
      }
    } catch (Exception e) {
      log.warn("bad-message", () -> "redis: ignoring a malformed invalidation message on " + channel);
      return;
    }
    if (cache == null || instanceId.equals(instance)) {
      return;
    }
    for (Listener l : listeners) {
      try {
        if (keys == null) {
          l.invalidate(cache, null);
        } else {
          for (String key : keys) {
            l.invalidate(cache, key);
          }
        }
      } catch (RuntimeException e) {
        log.warn("listener", () -> "redis: an invalidation listener failed: " + e);
      }
    }
  }

  private void signalReconnected(Listener l) {
    try {
      l.reconnected();
    } catch (RuntimeException e) {
      log.warn("listener", () -> "redis: an invalidation listener failed on reconnect: " + e);
    }
  }

  @Override
  public String toString() {
    return "RedisInvalidationBus[" + channel + "]";
  }
}
