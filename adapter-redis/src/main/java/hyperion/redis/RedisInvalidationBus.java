package hyperion.redis;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import hyperion.InvalidationBus;
import hyperion.config.Config;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link InvalidationBus} over Redis pub/sub: one channel per service ({@code
 * redis.invalidation_channel}, default {@code <key_prefix>invalidations}). Messages are small JSON
 * objects {@code {"i":instance,"c":cache,"k":key}}; an instance ignores the ones it sent.
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
  record Message(String i, String c, String k) {}

  private final String instanceId = UUID.randomUUID().toString();
  private final String channel;
  private final RedisOps ops;
  private final RedisClients clients;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean subscribedOnce = new AtomicBoolean();
  private final AtomicBoolean lostConnection = new AtomicBoolean();
  private final RateLimitedLog log = new RateLimitedLog(LOG, 10_000);

  @Inject
  RedisInvalidationBus(RedisClients clients, RedisOps ops, RedisConfig redis, Config config) {
    this.channel = channel(redis, config);
    this.ops = ops;
    this.clients = clients;
    clients.onPubSub(this::attach);
  }

  static String channel(RedisConfig redis, Config config) {
    return redis.invalidationChannel() != null ? redis.invalidationChannel()
        : RedisCacheManager.keyPrefix(redis, config) + "invalidations";
  }

  String channel() {
    return channel;
  }

  String instanceId() {
    return instanceId;
  }

  @Override
  public void publish(String cache, String key) {
    Objects.requireNonNull(cache, "cache");
    byte[] payload;
    try {
      payload = JSON.writeValueAsBytes(new Message(instanceId, cache, key));
    } catch (Exception e) {
      ops.countError("encode");
      return;
    }
    try {
      ops.run("PUBLISH", cache, c -> ops.await(c.publish(channel, payload)));
    } catch (RedisOps.RedisUnavailable e) {
      // dropped; counted and logged by RedisOps. Other instances clear L1 when their bus reconnects.
    }
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
    Message m;
    try {
      m = JSON.readValue(text, Message.class);
    } catch (Exception e) {
      log.log("bad-message", () -> "redis: ignoring a malformed invalidation message on " + channel);
      return;
    }
    if (m.c() == null || instanceId.equals(m.i())) {
      return;
    }
    for (Listener l : listeners) {
      try {
        l.invalidate(m.c(), m.k());
      } catch (RuntimeException e) {
        log.log("listener", () -> "redis: an invalidation listener failed: " + e);
      }
    }
  }

  private void signalReconnected(Listener l) {
    try {
      l.reconnected();
    } catch (RuntimeException e) {
      log.log("listener", () -> "redis: an invalidation listener failed on reconnect: " + e);
    }
  }

  @Override
  public String toString() {
    return "RedisInvalidationBus[" + channel + "]";
  }
}
