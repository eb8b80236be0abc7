package hyperion.cache;

import hyperion.config.CacheSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * One named shared cache layer (L2), asynchronous and failure-reporting: every method returns at
 * once with a {@link CompletionStage} that completes with the outcome or fails with the cause. A
 * layer never swallows a failure and never waits without a bound of its own (its client's command
 * timeout): the tier decides how long a caller waits, counts the failure, feeds the circuit
 * breaker and degrades.
 *
 * <p>Values are encoded by the layer (the tier hands it objects); a value the layer refuses fails
 * the write's stage with {@link RejectedValueException}. Times-to-live are whole milliseconds.
 */
public interface RemoteLayer {

  /** Creates the layer of each named cache; bound by an L2 adapter module. */
  @FunctionalInterface
  interface Factory {
    /**
     * The layer for cache {@code name} with settings {@code spec}. Throws {@link
     * IllegalArgumentException} when the layer cannot hold a cache of that name.
     */
    RemoteLayer create(String name, CacheSpec spec);
  }

  /** Reads {@code key}. */
  CompletionStage<RemoteEntry> get(String key);

  /** Reads {@code keys} in one round trip: one entry per key, in the order of {@code keys}. */
  CompletionStage<List<RemoteEntry>> getAll(List<String> keys);

  /** Whether {@code key} holds a live value. */
  CompletionStage<Boolean> exists(String key);

  /** Stores {@code value} for {@code ttlMillis}, unconditionally. */
  CompletionStage<Void> put(String key, Object value, long ttlMillis);

  /**
   * Stores {@code value} for {@code ttlMillis} only if {@code key} still holds exactly what {@code
   * seen} (an earlier read of it) found: nothing, a delete's tombstone, or an unreadable value.
   * Completes with whether it wrote. This is how a loaded value is written back: it can never
   * replace a value written, or a delete made, after the load began.
   */
  CompletionStage<Boolean> putIfUnchanged(String key, Object value, long ttlMillis, RemoteEntry seen);

  /** Stores every entry for {@code ttlMillis} in one round trip (not atomically). */
  CompletionStage<Void> putAll(Map<String, ?> entries, long ttlMillis);

  /**
   * Removes {@code key}, leaving a tombstone for {@code tombstoneMillis} that makes a {@link
   * #putIfUnchanged} based on an older read fail. Completes with whether a live value was there.
   */
  CompletionStage<Boolean> delete(String key, long tombstoneMillis);

  /** Removes every entry of this cache (never another cache's). May take long; for operations. */
  CompletionStage<Void> clear();

  /**
   * Tries to take the load lease of {@code key} for {@code leaseMillis} with the random {@code
   * token} ({@code distributed_load}): at most one holder at a time across every instance, and it
   * expires on its own if the holder dies. Completes with whether this token got it (false: another
   * holds it). The default fails: a layer without leases makes every load a local one.
   */
  default CompletionStage<Boolean> tryLease(String key, String token, long leaseMillis) {
    return java.util.concurrent.CompletableFuture.failedFuture(
        new UnsupportedOperationException(getClass().getSimpleName() + " has no load leases"));
  }

  /**
   * Releases the load lease of {@code key} if {@code token} still holds it (never another holder's
   * lease); completes with whether it did.
   */
  default CompletionStage<Boolean> releaseLease(String key, String token) {
    return java.util.concurrent.CompletableFuture.failedFuture(
        new UnsupportedOperationException(getClass().getSimpleName() + " has no load leases"));
  }

  /**
   * Attributes describing the layer's backend for the tier's client span (OpenTelemetry
   * conventions, e.g. {@code db.system.name}, {@code server.address}); never credentials.
   */
  Map<String, Object> spanAttributes();
}
