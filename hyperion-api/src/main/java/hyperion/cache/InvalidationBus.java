package hyperion.cache;

import java.util.Collection;
import java.util.concurrent.CompletionStage;

/**
 * Carries cache invalidations between instances of a service, so each instance drops its L1 copy
 * of keys another instance wrote or deleted. The tier publishes one message per write (a whole
 * {@code putAll} is one message) after the write reached L2, and subscribes for incoming ones.
 *
 * <p>{@code hyperion.redis.RedisModule} binds one over Redis pub/sub; without one, a single
 * instance keeps its L1 coherent by itself and nothing is published.
 */
public interface InvalidationBus {

  /** Tells other instances that {@code keys} of {@code cache} changed. */
  CompletionStage<Void> publish(String cache, Collection<String> keys);

  /** Tells other instances that every entry of {@code cache} changed. */
  CompletionStage<Void> publishClear(String cache);

  /** Registers {@code listener}; it is called on a bus thread and must not block. */
  void subscribe(Listener listener);

  /** Receives invalidations published by other instances (never this instance's own). */
  interface Listener {
    /** {@code key} of {@code cache} changed elsewhere; {@code key == null} means the whole cache. */
    void invalidate(String cache, String key);

    /**
     * The bus lost its connection and got it back; invalidations may have been missed, so every
     * L1 entry must be treated as stale.
     */
    void reconnected();
  }
}
