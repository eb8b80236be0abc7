package hyperion;

/**
 * How long the caches that share L2 may keep what they put into L1. Narrowed by {@link
 * TieredCacheManager} while the invalidation bus is suspended (it stopped answering, so a copy
 * cannot be kept coherent longer than the bus's coherence timeout), after which it clears those
 * L1s. Read only by the fill path, under the cache's write lock, never on an L1 hit: L1 holds
 * nothing older than the cap, so the hit path needs no check.
 */
final class L1Gate {
  /** The longest time-to-live of an L1 fill: {@link Long#MAX_VALUE} unless the bus is suspended. */
  volatile long maxTtlNanos = Long.MAX_VALUE;
}
