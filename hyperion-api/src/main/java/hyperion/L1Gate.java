package hyperion;

/**
 * Whether the caches that share L2 may put anything into L1. Closed by {@link TieredCacheManager}
 * while the invalidation bus is suspended (it stopped answering, so L1 copies cannot be kept
 * coherent), after which it clears those L1s. Read only by the fill path, under the cache's write
 * lock, never on an L1 hit: an L1 that is empty and not filled serves nothing.
 */
final class L1Gate {
  /** {@code false} while the bus is suspended. */
  volatile boolean open = true;
}
