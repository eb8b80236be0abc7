package hyperion.cache;

import java.util.Collection;
import java.util.concurrent.CompletionStage;

/**
 * Carries cache invalidations between instances of a service, so each instance drops its L1 copy
 * of keys another instance wrote or deleted. The tier publishes one message per write (a whole
 * {@code putAll} is one message) after the write reached L2, and subscribes for incoming ones.
 *
 * <p>{@code hyperion.redis.RedisModule} binds one over Redis pub/sub, or over Redis' own key
 * tracking ({@code redis.coherence: tracking}); without one, a single
 * instance keeps its L1 coherent by itself and nothing is published.
 */
public interface InvalidationBus {

  /** Tells other instances that {@code keys} of {@code cache} changed. */
  CompletionStage<Void> publish(String cache, Collection<String> keys);

  /** Tells other instances that every entry of {@code cache} changed. */
  CompletionStage<Void> publishClear(String cache);

  /** Registers {@code listener}; it is called on a bus thread and must not block. */
  void subscribe(Listener listener);

  /**
   * Receives invalidations of other instances' writes. A bus may also deliver this instance's own
   * (the tracking bus does: Redis reports every write); applying one drops an L1 copy that L2 still
   * holds, which is safe.
   */
  interface Listener {
    /** {@code key} of {@code cache} changed elsewhere; {@code key == null} means the whole cache. */
    void invalidate(String cache, String key);

    /**
     * Invalidations were missed and cannot be replayed (the bus lost its connection and what it
     * missed is gone, or it keeps no history), so every L1 entry must be treated as stale: drop
     * them all, once.
     */
    void reconnected();

    /**
     * The bus stopped answering (its watchdog got no reply within the coherence timeout), so
     * invalidations may be arriving late or not at all: every L1 entry must be dropped, and until
     * {@link #resumed()} a copy put into L1 must not be kept longer than {@code keepFor} (a copy
     * read from L2 or loaded now is current, so it can be stale for at most that long). The default
     * drops every L1 entry once ({@link #reconnected()}).
     */
    default void suspended(java.time.Duration keepFor) {
      reconnected();
    }

    /**
     * The bus answers again and has delivered or replayed whatever it missed (or called {@link
     * #reconnected()}): L1 copies may be kept for their whole TTL again. Follows {@link #suspended}.
     */
    default void resumed() {}
  }
}
