package hyperion;

/**
 * Carries cache invalidations between instances of a service, so each instance can evict its L1
 * copy of a key another instance wrote or deleted. {@link hyperion.cache.TieredCache} publishes on
 * every write and delete and subscribes for incoming ones.
 *
 * <p>Bound by default to a bus that reaches no other process; {@code hyperion.redis.RedisModule}
 * binds one over Redis pub/sub. Publishing never throws: a failure is logged and counted.
 */
public interface InvalidationBus {

  /** Tells other instances that {@code key} of {@code cache} changed; {@code key == null} means the whole cache. */
  void publish(String cache, String key);

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
