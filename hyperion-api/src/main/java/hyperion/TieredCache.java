package hyperion;

import hyperion.CacheMetrics.L2Op;
import hyperion.cache.InvalidationBus;
import hyperion.cache.LocalLayer;
import hyperion.cache.RejectedValueException;
import hyperion.cache.RemoteEntry;
import hyperion.cache.RemoteLayer;
import hyperion.config.CacheSpec;
import hyperion.internal.RateLimitedLog;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one {@link Cache} implementation: an optional in-process layer (L1) in front of an optional
 * shared layer (L2), kept coherent across instances by an optional {@link InvalidationBus}. With
 * neither layer it stores nothing and always runs the loader.
 *
 * <p>It alone owns what every combination of layers needs: argument checks, load coalescing, the
 * time budget of a request on L2, the circuit breaker, metrics and the L2 client span. The layers
 * only store; an L2 reports every failure, and this class decides to degrade.
 *
 * <p>Ordering. Every write and every incoming invalidation bumps the cache's {@link #epoch} under
 * {@link #writeLock}; a write first issues its L2 command and drops its keys from L1 in the same
 * step, then bumps the epoch. So a read that sees the new epoch issues its own L2 command after the
 * write's, and L2 answers them in that order (one connection per key, first in first out). Every
 * L1 change happens under the lock too (a layer that puts a due value's wrapper in its place changes
 * no value, and does so only while the entry still holds that value), and a value is put into L1
 * only if the epoch has not moved since the read or write that produced it began. A load's
 * write-back to L2 is conditional on the key being unchanged since the load's L2 read. So no value
 * older than an acknowledged write is ever put back into either layer. Reads take no lock.
 *
 * <p>Freshness (docs/caching.md): with {@code refresh_after} or {@code stale_if_error} L1 hands the
 * tier a {@link TimedValue} for each value that is due for a background reload or expired (an expired
 * one is kept only as the fallback of a failing load); see {@link L1Timing}. Reloads follow the same
 * rules as loads: conditional L2 write, epoch-checked L1 fill. With {@code distributed_load} a load
 * that misses L2 takes a lease in L2 first, so one instance of the cluster runs the loader.
 */
final class TieredCache implements Cache {

  /**
   * Stands for "the loader found nothing" in L1. Its class is private, so no caller type matches it
   * except {@code Object}, which the read paths check for first.
   */
  static final Object NEGATIVE = new Object() {
    @Override
    public String toString() {
      return "TieredCache.NEGATIVE";
    }
  };

  private static final Object FAILED = L2Caller.FAILED;

  /** What a failed load serves instead of throwing ({@code stale_if_error}): never put into a layer. */
  private record StaleValue(Object value) {}

  private final String name;
  private final LocalLayer l1;
  private final RemoteLayer l2;
  private final InvalidationBus bus;
  private final Tracer tracer;
  private final CacheMetrics.Bound metrics;
  private final L2Caller calls;
  private final RateLimitedLog log;
  private final LoadCoalescer loads;
  private final Object writeLock = new Object();
  /**
   * Bumped by every write on this instance (under {@link #writeLock}) and every invalidation from
   * another. A load or L2 read that saw an older value when it began does not fill L1.
   */
  private final AtomicLong epoch = new AtomicLong();
  private final long defaultTtlNanos;
  private final double jitter;
  private final long negativeTtlNanos;
  private final long l2TimeoutNanos;
  private final long tombstoneMillis;
  /** {@code stale_if_error} in nanoseconds, 0 when off. */
  private final long staleNanos;
  /** When L1's values are due, with {@code refresh_after} or {@code stale_if_error}; else {@code null}. */
  private final L1Timing timing;
  /** Whether L1 holds values as they are until they fall due, and wraps them then (see {@link L1Timing}). */
  private final boolean layerWrapsWhenDue;
  /** Runs refresh-ahead reloads. */
  private final Executor refresher;
  /** {@code distributed_load}: loads take a lease in L2 (always false without L2). */
  private final boolean leased;
  /** {@code lease_time}. */
  private final long leaseMillis;
  /** {@code hot_keys}: samples every lookup's key (the L1 layer those it finds); {@code null} when off. */
  private final HotKeySketch hotKeys;
  /** The longest time an L1 copy is kept, narrowed while the invalidation bus is suspended; {@code null}: no cap. */
  private final L1Gate gate;

  /**
   * A cache named {@code name} with settings {@code spec} over the given layers ({@code null} where
   * absent); {@code nanos} is the monotonic clock of the circuit breaker; {@code refresher} runs
   * the background reloads of {@code refresh_after}; {@code gate} ({@code null}: none) caps how
   * long an L1 copy is kept while the invalidation bus is suspended; {@code hotKeys} ({@code
   * null}: off) is the sketch of {@code hot_keys}, and {@code timing} ({@code null} unless L1 is
   * there and the cache has {@code refresh_after} or {@code stale_if_error}) the timing of its L1
   * values, which the L1 layer was created with too.
   */
  TieredCache(String name, CacheSpec spec, LocalLayer l1, RemoteLayer l2, InvalidationBus bus, Tracer tracer,
      CacheMetrics.Bound metrics, java.util.function.LongSupplier nanos, RateLimitedLog log, Executor refresher,
      L1Gate gate, HotKeySketch hotKeys, L1Timing timing) {
    this.name = name;
    this.l1 = l1;
    this.l2 = l2;
    this.bus = bus;
    this.tracer = tracer;
    this.metrics = metrics;
    this.log = log;
    this.loads = new LoadCoalescer(name);
    this.defaultTtlNanos = spec.defaultTtl().toNanos();
    this.jitter = spec.ttlJitter();
    this.negativeTtlNanos = spec.negativeTtl().toNanos();
    this.l2TimeoutNanos = spec.l2Timeout().toNanos();
    this.tombstoneMillis = Math.max(1, spec.tombstoneTtl().toMillis());
    this.calls = l2 == null ? null : new L2Caller(name, spec, l2, tracer, metrics, nanos, log);
    this.staleNanos = spec.staleIfError().toNanos();
    this.timing = l1 == null ? null : timing;
    this.layerWrapsWhenDue = this.timing != null && l1.wrapsWhenDue();
    this.refresher = refresher;
    this.leased = l2 != null && spec.distributedLoad();
    this.leaseMillis = Math.max(1, spec.leaseTime().toMillis());
    this.hotKeys = hotKeys;
    this.gate = gate;
  }

  /** The most requested keys ({@code hot_keys}), or {@code null} when not tracked. */
  List<HotKey> hotKeys() {
    return hotKeys == null ? null : hotKeys.top();
  }

  /** {@inheritDoc} */
  @Override
  public String name() {
    return name;
  }

  // ---------------------------------------------------------------- reads

  /** {@inheritDoc} A negatively cached key is a miss here. */
  @Override
  public <T> Optional<T> get(String key, Class<T> type) {
    return Optional.ofNullable(getIfPresent(key, type));
  }

  /** {@inheritDoc} A negatively cached key is a miss here. */
  @Override
  public <T> T getIfPresent(String key, Class<T> type) {
    CacheArguments.key(key);
    Objects.requireNonNull(type, "type");
    Object v = null;
    if (l1 != null) {
      v = l1Get(key);
      if (v instanceof TimedValue t) {
        // a value due for a refresh is still served; an expired one is only a stale fallback
        if (t.isFreshA(type) || isDueForRefreshA(t, type)) {
          metrics.l1Hit.inc();
          return t.valueAs();
        }
      } else if (v != null && v != NEGATIVE && type.isInstance(v)) {
        metrics.l1Hit.inc();
        return type.cast(v);
      }
    } else {
      sample(key);
    }
    return getAfterL1(key, type, type, v);
  }

  /** {@inheritDoc} A negatively cached key is a miss here. */
  @Override
  public <T> T getIfPresent(String key, TypeRef<T> type) {
    CacheArguments.key(key);
    Class<T> raw = Objects.requireNonNull(type, "type").castable();
    Object v = null;
    if (l1 != null) {
      v = l1Value(key);
      if (v != null && v != NEGATIVE && raw.isInstance(v)) {
        metrics.l1Hit.inc();
        return raw.cast(v);
      }
    } else {
      sample(key);
    }
    return getAfterL1(key, raw, type.type(), v);
  }

  /**
   * {@link #getIfPresent} past an L1 hit: a negative entry, an L1 miss (counted), then L2, decoding
   * as {@code generic} ({@code type} itself unless it has type arguments); {@code inL1} is what L1
   * gave.
   */
  private <T> T getAfterL1(String key, Class<T> type, Type generic, Object inL1) {
    if (l1 != null) {
      if (inL1 == NEGATIVE) {
        metrics.l1Hit.inc();
        return null;
      }
      metrics.l1Miss.inc();
    }
    if (l2 == null) {
      return null;
    }
    long seen = epoch.get();
    RemoteEntry e = readL2(key);
    T value = e == null ? null : hitOrMiss(e, type, generic);
    if (value != null) {
      fillFromL2(key, value, e, null, seen);
    }
    return value;
  }

  /** {@inheritDoc} */
  @Override
  public <T> Optional<Entry<T>> getEntry(String key, Class<T> type) {
    CacheArguments.key(key);
    Objects.requireNonNull(type, "type");
    if (l1 != null) {
      Object raw = l1Get(key);
      Object v = raw instanceof TimedValue t ? (l1.nanoTime() - t.expiresAt < 0 ? t.value() : null) : raw;
      if (v != null && (v == NEGATIVE || type.isInstance(v))) {
        metrics.l1Hit.inc();
        // an unwrapped value of a timed cache is kept stale_if_error past its TTL
        long left = raw instanceof TimedValue t ? t.expiresAt - l1.nanoTime()
            : l1.remainingNanos(key) - (timing != null ? staleNanos : 0);
        return v == NEGATIVE || left <= 0 ? Optional.empty()
            : Optional.of(new Entry<>(type.cast(v), Duration.ofNanos(left)));
      }
      metrics.l1Miss.inc();
    } else {
      sample(key);
    }
    if (l2 == null) {
      return Optional.empty();
    }
    long seen = epoch.get();
    RemoteEntry e = readL2(key);
    T value = e == null ? null : hitOrMiss(e, type, type);
    if (value == null) {
      return Optional.empty();
    }
    fillFromL2(key, value, e, null, seen);
    long left = e.expiresAtMillis() == 0 ? 0 : e.expiresAtMillis() - System.currentTimeMillis();
    return Optional.of(new Entry<>(value, left > 0 ? Duration.ofMillis(left) : null));
  }

  /** {@inheritDoc} */
  @Override
  public boolean exists(String key) {
    CacheArguments.key(key);
    if (l1 != null) {
      Object v = l1Value(key);
      if (v != null) {
        metrics.l1Hit.inc();
        return v != NEGATIVE;
      }
      metrics.l1Miss.inc();
    } else {
      sample(key);
    }
    if (l2 == null) {
      return false;
    }
    Object r = calls.allow() ? calls.await(L2Op.EXISTS, l2.exists(key), System.nanoTime() + l2TimeoutNanos) : FAILED;
    if (r == FAILED) {
      metrics.l2Error.inc();
      return false;
    }
    boolean found = (Boolean) r;
    (found ? metrics.l2Hit : metrics.l2Miss).inc();
    return found;
  }

  /**
   * {@inheritDoc} Keys missing from L1 are read from L2 in one call and copied into L1 for at most
   * their remaining time-to-live.
   */
  @Override
  public <T> Map<String, T> getAll(Collection<String> keys, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return getAll(keys, type, type);
  }

  /** {@inheritDoc} */
  @Override
  public <T> Map<String, T> getAll(Collection<String> keys, TypeRef<T> type) {
    return getAll(keys, Objects.requireNonNull(type, "type").castable(), type.type());
  }

  /** {@link #getAll(Collection, Class)}, decoding L2 values as {@code generic}. */
  private <T> Map<String, T> getAll(Collection<String> keys, Class<T> type, Type generic) {
    Objects.requireNonNull(keys, "keys");
    keys.forEach(CacheArguments::key);
    Map<String, T> found = new LinkedHashMap<>(Math.max(16, keys.size() * 2));
    List<String> missing;
    boolean fromL1 = false;
    if (l1 == null) {
      keys.forEach(this::sample);
      missing = keys instanceof List<String> list ? list : new ArrayList<>(keys);
    } else {
      missing = new ArrayList<>();
      for (String k : keys) {
        Object v = l1Value(k);
        if (v != null && (v == NEGATIVE || type.isInstance(v))) {
          metrics.l1Hit.inc();
          if (v != NEGATIVE) {
            found.put(k, type.cast(v));
            fromL1 = true;
          }
        } else {
          metrics.l1Miss.inc();
          missing.add(k);
        }
      }
    }
    boolean fromL2 = false;
    if (l2 != null && !missing.isEmpty()) {
      long seen = epoch.get();
      Object r = calls.allow() ? calls.await(L2Op.GET_ALL, l2.getAll(missing), System.nanoTime() + l2TimeoutNanos)
          : FAILED;
      if (r == FAILED) {
        metrics.l2Error.inc(missing.size());
      } else {
        @SuppressWarnings("unchecked")
        List<RemoteEntry> entries = (List<RemoteEntry>) r;
        for (int i = 0; i < missing.size(); i++) {
          String k = missing.get(i);
          RemoteEntry e = entries.get(i);
          T value = hitOrMiss(e, type, generic);
          if (value != null) {
            found.put(k, value);
            fillFromL2(k, value, e, null, seen);
            fromL2 = true;
          }
        }
      }
    }
    if (!(fromL1 && fromL2)) {
      return found; // one source: already in the order of keys
    }
    Map<String, T> ordered = new LinkedHashMap<>(found.size() * 2);
    for (String k : keys) {
      T v = found.get(k);
      if (v != null) {
        ordered.put(k, v);
      }
    }
    return ordered;
  }


  /**
   * {@inheritDoc} L1, then L2 (once per coalesced load), then the loader; a loaded value is
   * written back to L2 in the background (only if L2 still holds what the load read there) and to
   * L1. With negative caching on, a {@code null} is remembered in L1 for {@code negative_ttl}.
   */
  @Override
  public <T> T getOrLoad(String key, Class<T> type, Duration ttl, Loader<? extends T> loader) {
    CacheArguments.key(key);
    CacheArguments.ttl(ttl);
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(loader, "loader");
    return getOrLoad(key, type, type, ttl, loader);
  }

  /** {@inheritDoc} */
  @Override
  public <T> T getOrLoad(String key, TypeRef<T> type, Duration ttl, Loader<? extends T> loader) {
    CacheArguments.key(key);
    CacheArguments.ttl(ttl);
    Objects.requireNonNull(loader, "loader");
    return getOrLoad(key, Objects.requireNonNull(type, "type").castable(), type.type(), ttl, loader);
  }

  /**
   * Whether {@code t} is a {@code type} that a read found due but that has not expired: due for a
   * refresh, and still served. Reads L1's clock, so only after {@link TimedValue#isFreshA} failed.
   */
  private boolean isDueForRefreshA(TimedValue t, Class<?> type) {
    return t.isDue() && l1.nanoTime() - t.expiresAt < 0 && t.isA(type);
  }

  /** {@link #getOrLoad}: the L1 hit (refreshing it when due), else the coalesced load. */
  private <T> T getOrLoad(String key, Class<T> type, Type generic, Duration ttl, Loader<? extends T> loader) {
    Object v = null;
    if (l1 != null) {
      v = l1Get(key);
      if (v instanceof TimedValue t) {
        if (t.isFreshA(type)) { // neither due for a refresh nor expired: no clock read
          metrics.l1Hit.inc();
          return t.valueAs();
        }
        if (isDueForRefreshA(t, type)) {
          metrics.l1Hit.inc();
          refresh(key, type, generic, ttl, loader, t);
          return t.valueAs();
        }
      } else if (v != null && v != NEGATIVE && type.isInstance(v)) {
        metrics.l1Hit.inc();
        return type.cast(v);
      }
    } else {
      sample(key);
    }
    return loadAfterL1(key, type, generic, ttl, loader, v);
  }

  /**
   * The first step of {@link #getOrLoad} for callers that build their loader only on a miss (the
   * caching annotations: no loader object per hit): the L1 value of {@code key} if it is a {@code
   * type} and not due for a refresh (counted as a hit), else {@code null} with nothing counted, and
   * the caller goes on with {@code getOrLoad}. {@code key} must be valid.
   */
  <T> T l1Hit(String key, Class<T> type) {
    if (l1 == null) {
      return null;
    }
    Object v = l1.get(key);
    T hit;
    if (v instanceof TimedValue t) {
      if (!t.isFreshA(type)) {
        return null; // expired, or due for a refresh (which needs the loader), or another type
      }
      hit = t.valueAs();
    } else if (v != null && v != NEGATIVE && type.isInstance(v)) {
      hit = type.cast(v);
    } else {
      return null;
    }
    metrics.l1Hit.inc(); // the layer sampled the key for hot_keys
    return hit;
  }

  /**
   * L1's entry for {@code key}, read for a lookup. A key L1 does not hold is sampled here for
   * {@code hot_keys}; the layer samples those it finds (see {@link LocalLayer.Hits}), which costs
   * the tier's hit nothing.
   */
  private Object l1Get(String key) {
    Object v = l1.get(key);
    if (v == null) {
      sample(key);
    }
    return v;
  }

  /**
   * Samples a lookup of {@code key} for {@code hot_keys} that no L1 layer sampled: in a cache
   * without L1, or of a key L1 does not hold; on L1's clock, whose ticks the layer samples its hits
   * by, else on the system clock.
   */
  private void sample(String key) {
    if (hotKeys != null) {
      hotKeys.hit(key, l1 != null ? l1.nanoTime() : System.nanoTime());
    }
  }

  /**
   * The current value of {@code key} in L1: unwrapped, or {@code null} when absent or expired (an
   * expired value is kept only as the fallback of a failing load).
   */
  private Object l1Value(String key) {
    Object v = l1Get(key);
    if (v instanceof TimedValue t) {
      return l1.nanoTime() - t.expiresAt < 0 ? t.value() : null;
    }
    return v;
  }

  /**
   * {@link #getOrLoad} past an L1 hit: a negative entry, or an L1 miss (counted) and the coalesced
   * load; {@code inL1} is what L1 gave.
   */
  private <T> T loadAfterL1(String key, Class<T> type, Type generic, Duration ttl, Loader<? extends T> loader,
      Object inL1) {
    if (l1 != null) {
      if (inL1 == NEGATIVE) {
        metrics.l1Hit.inc();
        return null;
      }
      metrics.l1Miss.inc();
    }
    long seen = epoch.get();
    Object v = loads.run(key, seen, () -> loadThrough(key, type, generic, ttl, loader, seen));
    if (v == null || v == NEGATIVE) {
      return null;
    }
    // A concurrent load of this key as another type: load for this caller without caching.
    return type.isInstance(v) ? type.cast(v) : CacheArguments.load(name, key, loader);
  }

  /** The leader's part of a coalesced load: L2, else the loader and the write-back. */
  private <T> Object loadThrough(String key, Class<T> type, Type generic, Duration ttl, Loader<? extends T> loader, long seen) {
    RemoteEntry read = null;
    if (l2 != null) {
      read = readL2(key);
      T value = read == null ? null : hitOrMiss(read, type, generic);
      if (value != null) {
        fillFromL2(key, value, read, ttl, seen);
        return value;
      }
      if (leased) {
        if (read != null) {
          return loadUnderLease(key, type, generic, ttl, loader, seen, read, 0, false);
        }
        metrics.leaseFallback.inc(); // L2 failed: load here, without a lease
      }
    }
    return loadAndStore(key, type, generic, ttl, loader, seen, read, null, false);
  }

  /**
   * Runs the loader and stores its value: in L2 only if the key still holds what {@code read}
   * found ({@code null}: L2 absent or failed, no write), in L1 unless the epoch moved since {@code
   * seen}. Releases the lease of {@code token} ({@code null}: none) once the L2 write is done;
   * {@code publish}: a reload, whose successful write other instances must hear of.
   */
  private <T> Object loadAndStore(String key, Class<T> type, Type generic, Duration ttl, Loader<? extends T> loader, long seen,
      RemoteEntry read, String token, boolean publish) {
    Object loaded;
    try {
      loaded = runLoader(key, loader, staleNanos == 0 || publish ? null : () -> staleValue(key, type, generic, read));
    } catch (RuntimeException | Error e) {
      releaseLease(key, token, null);
      throw e;
    }
    if (loaded instanceof StaleValue stale) {
      releaseLease(key, token, null);
      return stale.value; // served, never stored: the layers keep the expired copy until its stale bound
    }
    @SuppressWarnings("unchecked")
    T value = (T) loaded;
    if (value == null) {
      releaseLease(key, token, null);
      if (publish) {
        // Nothing to serve any more: this instance drops its copy; L2's expires with its TTL.
        synchronized (writeLock) {
          if (epoch.get() == seen) {
            l1.invalidate(key);
          }
        }
        updateSizeGauges();
        return null;
      }
      if (negativeTtlNanos == 0 || l1 == null) {
        return null;
      }
      // L1 only: "absent" has no encoding in L2, and it is cheap to rediscover.
      fillL1(key, NEGATIVE, jittered(negativeTtlNanos), 0, false, seen);
      return NEGATIVE;
    }
    long ttlNanos = ttlNanos(ttl);
    CompletionStage<Boolean> written = read == null ? null : writeBack(key, value, ttlNanos, read);
    releaseLease(key, token, written);
    if (publish && written != null && bus != null) {
      written.whenComplete((ok, error) -> {
        if (Boolean.TRUE.equals(ok)) {
          publishAfter(CompletableFuture.completedFuture(null), key);
        }
      });
    }
    fillL1(key, value, ttlNanos, 0, ttl == null, seen);
    return value;
  }

  // ---------------------------------------------------------------- distributed_load

  /** How often a waiting instance looks for the lease holder's value in L2. */
  private static final long LEASE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /**
   * A load (or reload) of a cache with {@code distributed_load} after L2 did not have the value:
   * take the key's lease and load, or wait until L2 holds a value written at or after {@code
   * since} (epoch ms; 0: any live value) and take it. When the lease disappears without a value
   * (its holder failed or died and the lease expired) one waiter takes it over. The wait lasts at
   * most {@code l2_timeout} + {@code lease_time}; then, or when L2 fails, this instance loads
   * without a lease.
   */
  private <T> Object loadUnderLease(String key, Class<T> type, Type generic, Duration ttl, Loader<? extends T> loader, long seen,
      RemoteEntry read, long since, boolean publish) {
    String token = Long.toHexString(ThreadLocalRandom.current().nextLong())
        + Long.toHexString(ThreadLocalRandom.current().nextLong());
    long deadline = System.nanoTime() + l2TimeoutNanos + TimeUnit.MILLISECONDS.toNanos(leaseMillis);
    boolean waited = false;
    RemoteEntry last = read;
    while (true) {
      Object got = calls.allow() ? calls.await(L2Op.LEASE, L2Caller.call(() -> l2.tryLease(key, token, leaseMillis)),
          System.nanoTime() + l2TimeoutNanos) : FAILED;
      if (got == FAILED) {
        metrics.leaseFallback.inc();
        return loadAndStore(key, type, generic, ttl, loader, seen, last, null, publish);
      }
      if ((Boolean) got) {
        if (waited) {
          // The holder may have written its value and released the lease between this waiter's
          // last read and this lease command: read once more before loading a second time.
          Object again = l2Get(key);
          if (again != FAILED) {
            T value = takeWaited(key, (RemoteEntry) again, type, generic, since, ttl, seen);
            if (value != null) {
              releaseLease(key, token, null);
              return value;
            }
            last = (RemoteEntry) again;
          }
        }
        (waited ? metrics.leaseTakenOver : metrics.leaseAcquired).inc();
        return loadAndStore(key, type, generic, ttl, loader, seen, last, token, publish);
      }
      waited = true;
      if (System.nanoTime() - deadline >= 0) {
        metrics.leaseTimeout.inc();
        log.warn("lease:" + name, () -> "cache '" + name + "': waited l2_timeout + lease_time for another instance's"
            + " load; loading here");
        return loadAndStore(key, type, generic, ttl, loader, seen, last, null, publish);
      }
      try {
        TimeUnit.NANOSECONDS.sleep(LEASE_POLL_NANOS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CacheLoadException(name, key, e);
      }
      Object r = l2Get(key);
      if (r == FAILED) {
        metrics.leaseFallback.inc();
        return loadAndStore(key, type, generic, ttl, loader, seen, last, null, publish);
      }
      T value = takeWaited(key, (RemoteEntry) r, type, generic, since, ttl, seen);
      if (value != null) {
        return value;
      }
      last = (RemoteEntry) r;
    }
  }

  /**
   * Another instance's value for a waiting load: the value of {@code e} if it is live and written
   * at or after {@code since}, counted as {@code waited} and copied into L1; else {@code null}.
   */
  private <T> T takeWaited(String key, RemoteEntry e, Class<T> type, Type generic, long since, Duration ttl,
      long seen) {
    T value = liveValue(e, type, generic, since);
    if (value != null) {
      metrics.leaseWaited.inc();
      fillFromL2(key, value, e, ttl, seen);
    }
    return value;
  }

  /**
   * The value of an L2 entry if it is live, decodes as {@code type} and was written at or after
   * {@code since} (epoch ms; 0: whenever); else {@code null}. Counts nothing.
   */
  private <T> T liveValue(RemoteEntry e, Class<T> type, Type generic, long since) {
    long now = System.currentTimeMillis();
    if (!e.present() || (e.expiresAtMillis() != 0 && e.expiresAtMillis() <= now)
        || (since != 0 && e.writtenAtMillis() < since)) {
      return null;
    }
    try {
      Object value = generic == type ? e.decode(type) : e.decode(generic);
      return type.isInstance(value) ? type.cast(value) : null;
    } catch (Exception ex) {
      return null;
    }
  }

  /** Releases the lease of {@code token} ({@code null}: none) once {@code after} completes (or now). */
  private void releaseLease(String key, String token, CompletionStage<?> after) {
    if (token == null) {
      return;
    }
    Runnable release = () -> L2Caller.call(() -> l2.releaseLease(key, token)).whenComplete((ok, error) -> {
      if (error != null) {
        log.warn("lease:" + name, () -> "cache '" + name + "': a load lease was not released ("
            + L2Caller.describe(error) + "); it expires after lease_time");
      }
    });
    if (after == null) {
      release.run();
    } else {
      after.whenComplete((r, e) -> release.run());
    }
  }

  /**
   * Runs the loader in its {@code cache.load} span. When it fails and {@code stale} (may be {@code
   * null}) finds an expired value still within {@code stale_if_error}, returns that value as a
   * {@link StaleValue} (and marks the span {@code cache.stale=true}) instead of throwing.
   */
  private Object runLoader(String key, Loader<?> loader, java.util.function.Supplier<Object> stale) {
    long start = System.nanoTime();
    try (Span span = tracer.spanBuilder("cache.load").kind(SpanKind.INTERNAL).attribute("cache.name", name).start()) {
      try {
        Object value = CacheArguments.load(name, key, loader);
        metrics.loadSuccess.inc();
        return value;
      } catch (RuntimeException | Error e) {
        span.recordError(e);
        metrics.loadFailure.inc();
        Object old = stale == null || !(e instanceof RuntimeException) ? null : stale.get();
        if (old == null) {
          throw e;
        }
        span.setAttribute("cache.stale", true);
        log.warn("stale:" + name, () -> "cache '" + name + "': the loader failed (" + L2Caller.describe(e)
            + "); served an expired value (stale_if_error)");
        return new StaleValue(old);
      } finally {
        metrics.loadDuration.observe((System.nanoTime() - start) / 1e9);
      }
    }
  }

  /**
   * The expired value a failed load may serve: L1's copy, else the copy the load's L2 read found
   * ({@code read}, may be {@code null}), if it is a {@code type} that expired less than {@code
   * stale_if_error} ago; counted as {@code result="stale"} of its layer. {@code null} when none.
   */
  private Object staleValue(String key, Class<?> type, Type generic, RemoteEntry read) {
    if (l1 != null && l1.get(key) instanceof TimedValue t && t.isA(type)
        && l1.nanoTime() - (t.expiresAt + staleNanos) < 0) {
      metrics.l1Stale.inc();
      return t.value();
    }
    if (read != null && read.present() && read.expiresAtMillis() != 0
        && TimeUnit.MILLISECONDS.toNanos(read.expiresAtMillis() - System.currentTimeMillis()) + staleNanos > 0) {
      try {
        Object v = generic == type ? read.decode(type) : read.decode(generic);
        if (type.isInstance(v)) {
          metrics.l2Stale.inc();
          return v;
        }
      } catch (Exception e) {
        metrics.valueError("decode");
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- refresh-ahead

  /**
   * Starts the background reload of an L1 entry past {@code refresh_after}, unless one started by
   * this entry is still running; the caller does not wait for it.
   */
  private <T> void refresh(String key, Class<T> type, Type generic, Duration ttl, Loader<? extends T> loader, TimedValue old) {
    if (!old.claimRefresh()) {
      return;
    }
    try {
      refresher.execute(() -> reload(key, type, generic, ttl, loader, old));
    } catch (RejectedExecutionException e) {
      old.releaseRefresh(); // every reload thread is busy: a later hit tries again
      metrics.refreshRejected.inc();
    }
  }

  /** The background reload: joins or leads the key's coalesced load; a failure keeps the old value. */
  private <T> void reload(String key, Class<T> type, Type generic, Duration ttl, Loader<? extends T> loader, TimedValue old) {
    long seen = epoch.get();
    try {
      loads.run(key, seen, () -> reloadThrough(key, type, generic, ttl, loader, seen));
      metrics.refreshSuccess.inc();
    } catch (RuntimeException | Error e) {
      metrics.refreshFailure.inc();
      log.warn("refresh:" + name, () -> "cache '" + name + "': a refresh failed (" + L2Caller.describe(e)
          + "); the current value is served until it expires");
    } finally {
      old.releaseRefresh();
    }
  }

  /**
   * A reload's work: if L2 already holds a value younger than the earliest age at which a value falls
   * due ({@link L1Timing#earliestDueAgeNanos}: another instance refreshed it, as the value being
   * reloaded is older), that value; else the loader's, written to L2 only if the key is unchanged
   * since this reload read it, then published so other instances drop their L1 copy.
   */
  private <T> Object reloadThrough(String key, Class<T> type, Type generic, Duration ttl, Loader<? extends T> loader, long seen) {
    RemoteEntry read = null;
    if (l2 != null) {
      Object r = l2Get(key);
      read = r == FAILED ? null : (RemoteEntry) r;
      // younger by the millisecond clock of the header: a value exactly that old is not fresh
      long since = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(timing.earliestDueAgeNanos()) + 1;
      T fresh = read == null ? null : liveValue(read, type, generic, Math.max(1, since));
      if (fresh != null) {
        fillFromL2(key, fresh, read, ttl, seen);
        return fresh;
      }
      if (leased) {
        if (read != null) {
          return loadUnderLease(key, type, generic, ttl, loader, seen, read, Math.max(1, since), true);
        }
        metrics.leaseFallback.inc();
      }
    }
    return loadAndStore(key, type, generic, ttl, loader, seen, read, null, true);
  }

  /**
   * Writes a loaded value back to L2 without making the caller wait: only if the key still holds
   * what the load read there, so the write can never replace a newer write or undo a delete.
   */
  private CompletionStage<Boolean> writeBack(String key, Object value, long ttlNanos, RemoteEntry read) {
    if (!calls.allow()) {
      metrics.writeFailures.inc();
      return null;
    }
    CompletionStage<Boolean> stage;
    try {
      stage = l2.putIfUnchanged(key, value, toMillis(ttlNanos), read);
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    calls.background(L2Op.FILL, stage);
    return stage;
  }

  /**
   * One L2 read through the breaker, waiting {@code l2_timeout} at most: the entry, or {@code
   * FAILED}. Counts nothing.
   */
  private Object l2Get(String key) {
    return calls.allow() ? calls.await(L2Op.GET, l2.get(key), System.nanoTime() + l2TimeoutNanos) : FAILED;
  }

  /**
   * {@link #l2Get}, with a failure counted as an error: the entry, or {@code null} when L2 failed,
   * timed out or was skipped.
   */
  private RemoteEntry readL2(String key) {
    Object r = l2Get(key);
    if (r == FAILED) {
      metrics.l2Error.inc();
      return null;
    }
    return (RemoteEntry) r;
  }

  /** The entry's value as {@code type}, counted as an L2 hit; {@code null}, counted as a miss, when absent or undecodable. */
  private <T> T hitOrMiss(RemoteEntry e, Class<T> type, Type generic) {
    if (e.present() && !(staleNanos > 0 && e.expiresAtMillis() != 0 && e.expiresAtMillis() <= System.currentTimeMillis())) {
      try {
        Object value = generic == type ? e.decode(type) : e.decode(generic);
        if (value != null && type.isInstance(value)) {
          metrics.l2Hit.inc();
          return type.cast(value);
        }
        throw new IllegalStateException("decoded " + (value == null ? "null" : value.getClass().getName()));
      } catch (Exception ex) {
        metrics.valueError("decode");
        log.warn("decode:" + name, () -> "cache '" + name + "': an L2 entry could not be decoded as "
            + generic.getTypeName() + " (" + ex.getClass().getSimpleName() + "); treated as a miss, replaced on the next load");
      }
    }
    metrics.l2Miss.inc();
    return null;
  }

  /**
   * Copies an L2 hit into L1 for at most its remaining time-to-live (and at most {@code ttl}, else
   * the default TTL, jittered), unless a write or invalidation happened since {@code seen}. A value
   * written with the default TTL in a cache whose values fall due by their remaining time ({@link
   * L1Timing#followsWriter}) is copied for exactly its remaining time-to-live, so the copy falls due
   * when the writer's does.
   */
  private void fillFromL2(String key, Object value, RemoteEntry e, Duration ttl, long seen) {
    if (l1 == null) {
      return;
    }
    long cap = ttlNanos(ttl);
    long expires = e.expiresAtMillis();
    long left = 0;
    if (expires != 0) {
      left = TimeUnit.MILLISECONDS.toNanos(expires - System.currentTimeMillis());
      if (left <= 0) {
        return; // expired by the writer's clock: serve it once, keep no copy
      }
      cap = Math.min(cap, left);
    }
    long written = e.writtenAtMillis();
    long age = written == 0 ? 0 : Math.max(0, TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() - written));
    boolean followsWriter = ttl == null && left > 0 && written != 0 && timing != null
        && timing.followsWriter(expires - written);
    fillL1(key, value, followsWriter ? left : cap, age, followsWriter, seen);
  }

  /**
   * Puts into L1 (see {@link #l1Put}) unless a write or an invalidation happened since {@code seen}.
   * The check and the put are one step under {@link #writeLock}, where every epoch change happens, so
   * no value older than an acknowledged write can be put back, not even for an instant.
   */
  private void fillL1(String key, Object value, long ttlNanos, long ageNanos, boolean byRemaining, long seen) {
    if (l1 == null) {
      return;
    }
    synchronized (writeLock) {
      if (epoch.get() != seen) {
        return;
      }
      l1Put(key, value, ttlNanos, ageNanos, byRemaining);
    }
    updateSizeGauges();
  }

  /**
   * Puts into L1, for at most the {@link #gate}'s cap; the caller holds {@link #writeLock}. In a
   * cache with {@code refresh_after} or {@code stale_if_error} the value is kept {@code
   * stale_if_error} longer than {@code ttlNanos}, and wrapped with its refresh and expiry times
   * ({@code ageNanos}: how old it already is; {@code byRemaining}: whether {@code ttlNanos} is what
   * is left of a default TTL, so its times follow from it, see {@link L1Timing#timed}) unless the
   * layer wraps it when it falls due.
   */
  private void l1Put(String key, Object value, long ttlNanos, long ageNanos, boolean byRemaining) {
    if (gate != null && gate.maxTtlNanos < ttlNanos) {
      // While the bus is suspended no copy outlives the coherence timeout, so the hit path needs no check.
      ttlNanos = gate.maxTtlNanos;
      byRemaining = false;
    }
    if (timing == null || value == NEGATIVE) {
      l1.put(key, value, ttlNanos);
    } else if (layerWrapsWhenDue && timing.unwrapped(byRemaining)) {
      l1.put(key, value, ttlNanos + staleNanos);
    } else {
      l1.put(key, timing.timed(value, l1.nanoTime(), ttlNanos, ageNanos, byRemaining), ttlNanos + staleNanos);
    }
  }

  // ---------------------------------------------------------------- writes

  /**
   * {@inheritDoc} Written to L2 (waiting at most {@code l2_timeout}; an L2 failure is counted and
   * logged, not thrown), then to L1, then published as an invalidation once L2 has answered.
   */
  @Override
  public void put(String key, Object value, Duration ttl) {
    CacheArguments.entry(key, value, ttl);
    long ttlNanos = ttlNanos(ttl);
    if (l2 == null) {
      synchronized (writeLock) {
        epoch.incrementAndGet();
        if (l1 != null) {
          l1Put(key, value, ttlNanos, 0, ttl == null);
        }
      }
      updateSizeGauges();
      return;
    }
    long deadline = System.nanoTime() + l2TimeoutNanos;
    long mine;
    CompletionStage<Void> stage = null;
    synchronized (writeLock) {
      if (calls.allow()) {
        stage = L2Caller.call(() -> l2.put(key, value, toMillis(ttlNanos)));
      }
      if (l1 != null) {
        l1.invalidate(key); // the old value must not be served once this write has begun
      }
      mine = epoch.incrementAndGet(); // after the command is on its way: see the class description
    }
    awaitWrite(L2Op.PUT, stage, deadline);
    fillL1(key, value, ttlNanos, 0, ttl == null, mine); // not if a later write or an invalidation overtook this one
    publishAfter(stage, key);
  }

  /**
   * {@inheritDoc} L2 gets the batch in one call (waiting at most {@code l2_timeout}); other
   * instances get one invalidation for the whole batch.
   */
  @Override
  public void putAll(Map<String, ?> entries, Duration ttl) {
    Objects.requireNonNull(entries, "entries");
    entries.forEach((k, v) -> CacheArguments.entry(k, v, ttl));
    if (entries.isEmpty()) {
      return;
    }
    long ttlNanos = ttlNanos(ttl);
    Map<String, Object> copy = new LinkedHashMap<>(entries);
    long mine;
    CompletionStage<Void> stage = null;
    long deadline = System.nanoTime() + l2TimeoutNanos;
    synchronized (writeLock) {
      if (l2 != null && calls.allow()) {
        stage = L2Caller.call(() -> l2.putAll(copy, toMillis(ttlNanos)));
      }
      if (l1 != null) {
        copy.keySet().forEach(l1::invalidate); // old values must not be served once this write has begun
      }
      mine = epoch.incrementAndGet();
    }
    if (l2 != null) {
      awaitWrite(L2Op.PUT_ALL, stage, deadline);
    }
    if (l1 != null) {
      synchronized (writeLock) {
        if (l2 == null || epoch.get() == mine) { // else a later write or an invalidation overtook this one
          // each L1 copy is cut on its own, never kept longer than the batch's L2 copies
          copy.forEach((k, v) -> l1Put(k, v, Math.min(ttlNanos, ttl == null ? ttlNanos(null) : jittered(ttlNanos)), 0,
              ttl == null));
        }
      }
      updateSizeGauges();
    }
    publishAfter(stage, copy.keySet());
  }

  /** {@inheritDoc} Removes the key from both layers (leaving a tombstone in L2) and publishes an invalidation. */
  @Override
  public boolean delete(String key) {
    CacheArguments.key(key);
    long deadline = System.nanoTime() + l2TimeoutNanos;
    CompletionStage<Boolean> stage = null;
    boolean inL1;
    synchronized (writeLock) {
      if (l2 != null && calls.allow()) {
        stage = L2Caller.call(() -> l2.delete(key, tombstoneMillis));
      }
      inL1 = l1 != null && l1.invalidate(key);
      epoch.incrementAndGet();
    }
    updateSizeGauges();
    Object r = l2 == null ? FAILED : awaitWrite(L2Op.DELETE, stage, deadline);
    publishAfter(stage, key);
    return inL1 || Boolean.TRUE.equals(r);
  }

  /** {@inheritDoc} Clears both layers and publishes a whole-cache invalidation. */
  @Override
  public void clear() {
    long deadline = System.nanoTime() + l2TimeoutNanos;
    CompletionStage<Void> stage = null;
    synchronized (writeLock) {
      if (l2 != null && calls.allow()) {
        stage = L2Caller.call(l2::clear);
      }
      if (l1 != null) {
        l1.invalidateAll();
      }
      epoch.incrementAndGet();
    }
    updateSizeGauges();
    if (l2 != null) {
      awaitWrite(L2Op.CLEAR, stage, deadline);
    }
    if (bus != null) {
      after(stage, () -> bus.publishClear(name));
    }
  }

  /**
   * Waits for an L2 write ({@code null}: skipped by the breaker); failures count as write failures,
   * except a value L2 refused, which is counted as a value error only (as a write-back's is).
   */
  private Object awaitWrite(L2Op op, CompletionStage<?> stage, long deadline) {
    Object r = stage == null ? FAILED : calls.await(op, stage, deadline);
    if (r == FAILED && !refused(stage)) {
      metrics.writeFailures.inc();
    }
    return r;
  }

  /** Whether {@code stage} ended with L2 refusing the value (too large, not encodable). */
  private static boolean refused(CompletionStage<?> stage) {
    if (stage == null) {
      return false;
    }
    try {
      stage.toCompletableFuture().getNow(null);
      return false;
    } catch (CompletionException e) {
      return e.getCause() instanceof RejectedValueException;
    } catch (CancellationException e) {
      return false;
    }
  }

  private void publishAfter(CompletionStage<?> stage, String key) {
    if (bus != null) {
      after(stage, () -> bus.publish(name, List.of(key)));
    }
  }

  private void publishAfter(CompletionStage<?> stage, Collection<String> keys) {
    if (bus != null) {
      List<String> copy = List.copyOf(keys);
      after(stage, () -> bus.publish(name, copy));
    }
  }

  /**
   * Runs {@code publish} once {@code stage} (the L2 write) has completed either way, so other
   * instances that drop their L1 copy and re-read L2 find the new value. Nothing is published when
   * the breaker skipped the write: L2 did not change, so other instances' copies still match it.
   */
  private void after(CompletionStage<?> stage, java.util.function.Supplier<CompletionStage<Void>> publish) {
    if (stage == null) {
      return;
    }
    stage.whenComplete((r, e) -> {
      try {
        publish.get().whenComplete((ok, error) -> {
          if (error != null) {
            log.warn("publish:" + name, () -> "cache '" + name + "': invalidation not published ("
                + L2Caller.describe(error) + "); other instances keep their L1 copy until it expires");
          }
        });
      } catch (RuntimeException ex) {
        log.warn("publish:" + name, () -> "cache '" + name + "': invalidation not published (" + L2Caller.describe(ex) + ")");
      }
    });
  }

  // ---------------------------------------------------------------- invalidations

  /** Another instance changed {@code key} ({@code null}: everything); drop the L1 copy. */
  void invalidateLocal(String key) {
    synchronized (writeLock) {
      epoch.incrementAndGet();
      if (l1 == null) {
        return;
      }
      if (key == null) {
        l1.invalidateAll();
      } else {
        l1.invalidate(key);
      }
    }
    updateSizeGauges();
  }

  /**
   * Pushes L1's size (and weight) to the gauges; called after L1 changes and on evictions, since
   * the metrics port has no labelled callback gauges.
   */
  void updateSizeGauges() {
    if (l1 != null) {
      metrics.size.set(l1.size());
      long w = l1.weight();
      if (w >= 0) {
        metrics.weight.set(w);
      }
    }
  }

  /** Whether this cache has an L2 (so its L1 is a copy others can invalidate). */
  boolean sharesL2() {
    return l2 != null;
  }

  int breakerState() {
    return calls == null ? CircuitBreaker.CLOSED : calls.breakerState();
  }

  // ---------------------------------------------------------------- L2 plumbing

  private long jittered(long nanos) {
    return jittered(nanos, nanos);
  }

  /** {@code nanos} shortened by a random part of {@code ttl_jitter * span}; at least 1. */
  private long jittered(long nanos, long span) {
    if (jitter == 0) {
      return nanos;
    }
    long cut = (long) (span * jitter * ThreadLocalRandom.current().nextDouble());
    return Math.max(1, nanos - cut);
  }

  /**
   * The TTL of a write or load with {@code ttl} ({@code null}: the default), jittered; the default's
   * cut is bounded by {@link L1Timing#defaultJitterSpan} in a cache with L1 timing.
   */
  private long ttlNanos(Duration ttl) {
    if (ttl != null) {
      return jittered(ttl.toNanos());
    }
    return jittered(defaultTtlNanos, timing == null ? defaultTtlNanos : timing.defaultJitterSpan());
  }

  private static long toMillis(long nanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return "TieredCache[" + name + (l1 == null ? "" : ", l1") + (l2 == null ? "" : ", l2") + "]";
  }
}
