package hyperion.config;

import java.time.Duration;

/**
 * The settings of one named cache, {@code cache.<name>}; keys missing there come from {@code
 * cache.default}, then from {@link #DEFAULTS}.
 *
 * @param maxEntries L1 bound on the number of entries ({@code max_entries}); ignored when {@code max_weight} is set
 * @param maxWeight L1 bound on the total weight ({@code max_weight}, 0 = unset); needs a weigher
 * @param defaultTtl time-to-live when {@code put} gives none ({@code default_ttl})
 * @param expireAfterAccess L1 idle expiry ({@code expire_after_access}); zero disables it
 * @param recordStats whether L1 statistics are collected and exported as metrics ({@code record_stats})
 * @param ttlJitter fraction by which TTLs are randomly shortened, 0 to 0.5 ({@code ttl_jitter}, default 0.1)
 * @param negativeTtl how long a loader's "not found" is cached ({@code negative_ttl}); zero disables it
 * @param l2Timeout how long a tiered cache waits for L2 before treating the call as a miss ({@code l2_timeout})
 * @param breakerFailures consecutive L2 failures that open the circuit breaker ({@code breaker_failures})
 * @param breakerCooldown how long the open breaker skips L2 before probing again ({@code breaker_cooldown})
 * @param tombstoneTtl how long a delete leaves a tombstone in L2, so that a load that began before
 *     the delete cannot write the value it read back into L2 ({@code tombstone_ttl})
 * @param layers which of the installed layers the cache uses ({@code layers}: {@code all}, {@code
 *     l1} or {@code l2}); a cache limited to a layer that is not installed stores nothing
 * @param refreshAfter age after which a {@code getOrLoad} hit triggers one background reload while
 *     still returning the current value ({@code refresh_after}); zero disables refresh-ahead
 * @param staleIfError how long past its expiry a value is kept and served by {@code getOrLoad} when
 *     the loader fails ({@code stale_if_error}); zero disables it
 * @param distributedLoad whether a load takes a lease in L2 so that one instance of the cluster runs
 *     the loader for a key at a time while the others wait for its value ({@code distributed_load})
 * @param leaseTime how long that lease lasts, and with {@code l2_timeout} how long other instances
 *     wait for the value before loading themselves ({@code lease_time})
 * @param hotKeys how many of the most requested keys are tracked for the admin server ({@code
 *     hot_keys}, 0 to 1000); zero disables tracking
 */
public record CacheSpec(
    long maxEntries,
    long maxWeight,
    Duration defaultTtl,
    Duration expireAfterAccess,
    boolean recordStats,
    double ttlJitter,
    Duration negativeTtl,
    Duration l2Timeout,
    int breakerFailures,
    Duration breakerCooldown,
    Duration tombstoneTtl,
    Layers layers,
    Duration refreshAfter,
    Duration staleIfError,
    boolean distributedLoad,
    Duration leaseTime,
    int hotKeys) {

  /** Which of the installed cache layers a cache uses. */
  public enum Layers {
    /** Every installed layer: L1 in front of L2 when both adapters are installed. */
    ALL,
    /** Only the in-process layer: a per-instance cache, never shared, never on the invalidation bus. */
    L1,
    /** Only the shared layer. */
    L2;

    /** Whether the in-process layer is used. */
    public boolean usesL1() {
      return this != L2;
    }

    /** Whether the shared layer (and the invalidation bus) is used. */
    public boolean usesL2() {
      return this != L1;
    }
  }

  /** The built-in defaults. */
  public static final CacheSpec DEFAULTS = new CacheSpec(10_000, 0, Duration.ofMinutes(5), Duration.ZERO, true,
      0.1, Duration.ZERO, Duration.ofMillis(250), 5, Duration.ofSeconds(5), Duration.ofSeconds(30), Layers.ALL,
      Duration.ZERO, Duration.ZERO, false, Duration.ofSeconds(10), 0);

  /** Validates every component. */
  public CacheSpec {
    ConfigException.Checks checks = ConfigException.checks();
    checks.require(maxEntries > 0, "max_entries", maxEntries, "a positive whole number");
    checks.require(maxWeight >= 0, "max_weight", maxWeight, "0 (unset) or a positive whole number");
    checks.requirePositive(defaultTtl, "default_ttl", "a positive duration, e.g. 5m");
    checks.require(nonNegative(expireAfterAccess), "expire_after_access", expireAfterAccess,
        "0 (disabled) or a positive duration");
    checks.require(ttlJitter >= 0 && ttlJitter <= 0.5, "ttl_jitter", ttlJitter,
        "a fraction from 0.0 to 0.5");
    checks.require(nonNegative(negativeTtl), "negative_ttl", negativeTtl,
        "0 (disabled) or a positive duration");
    checks.requirePositive(l2Timeout, "l2_timeout", "a positive duration, e.g. 250ms");
    checks.require(breakerFailures > 0, "breaker_failures", breakerFailures, "a positive whole number");
    checks.requirePositive(breakerCooldown, "breaker_cooldown",
        "a positive duration, e.g. 5s");
    checks.requirePositive(tombstoneTtl, "tombstone_ttl",
        "a positive duration, e.g. 30s");
    checks.require(layers != null, "layers", null, "one of all, l1, l2");
    checks.require(nonNegative(refreshAfter), "refresh_after", refreshAfter,
        "0 (disabled) or a positive duration, e.g. 1m");
    checks.require(nonNegative(staleIfError), "stale_if_error", staleIfError,
        "0 (disabled) or a positive duration, e.g. 10m");
    checks.requirePositive(leaseTime, "lease_time", "a positive duration, e.g. 10s");
    checks.require(!distributedLoad || layers == null || layers.usesL2(), "distributed_load", distributedLoad,
        "false with layers: l1 (the lease lives in L2)");
    checks.require(hotKeys >= 0 && hotKeys <= 1000, "hot_keys", hotKeys, "0 (off) to 1000");
    checks.throwIfAny();
  }

  /**
   * The settings before refresh-ahead, serve-stale-on-error, distributed loads and hot keys existed:
   * all off.
   * Kept so code that builds a spec by hand keeps compiling.
   */
  public CacheSpec(long maxEntries, long maxWeight, Duration defaultTtl, Duration expireAfterAccess,
      boolean recordStats, double ttlJitter, Duration negativeTtl, Duration l2Timeout, int breakerFailures,
      Duration breakerCooldown, Duration tombstoneTtl, Layers layers) {
    this(maxEntries, maxWeight, defaultTtl, expireAfterAccess, recordStats, ttlJitter, negativeTtl, l2Timeout,
        breakerFailures, breakerCooldown, tombstoneTtl, layers, Duration.ZERO, Duration.ZERO, false,
        Duration.ofSeconds(10), 0);
  }


  private static boolean nonNegative(Duration d) {
    return d != null && !d.isNegative();
  }
}
