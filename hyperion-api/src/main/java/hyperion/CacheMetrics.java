package hyperion;

import hyperion.cache.LocalLayer.EvictionCause;
import hyperion.cache.RejectedValueException;
import hyperion.config.CacheSpec;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one declaration of the {@code hyperion_cache_*} metric families, and the children each cache
 * binds once (so the hot path only increments). Counting is the tier's job alone: layers count
 * nothing, so every request is counted exactly once, by the code that saw its outcome.
 */
final class CacheMetrics {

  /** The L2 operations, each a value of the {@code operation} label. */
  enum L2Op {
    GET, GET_ALL, EXISTS, PUT, PUT_ALL, FILL, DELETE, CLEAR, LEASE;

    final String label = name().toLowerCase(Locale.ROOT);
    /** The name of the client span around the operation. */
    final String spanName = "cache.l2." + label;
  }

  /** Stands in for a disabled instrument, so the hot path stays branch-free. */
  static final Counter.Child NO_COUNT = new Counter.Child() {
    @Override public void inc() {}
    @Override public void inc(double amount) {}
  };

  private static final Gauge.Child NO_GAUGE = new Gauge.Child() {
    @Override public void set(double value) {}
    @Override public void add(double amount) {}
  };

  /** Bucket bounds of the L2 latency histogram: 0.25 ms to 2.5 s. */
  private static final double[] L2_BUCKETS = {0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
      0.25, 0.5, 1, 2.5};

  private final Counter requests;
  private final Counter loads;
  private final Histogram loadDuration;
  private final Counter evictions;
  private final Gauge size;
  private final Gauge weight;
  private final Counter writeFailures;
  private final Counter timeouts;
  private final Histogram l2Duration;
  private final Counter valueErrors;
  private final Gauge breakerOpen;
  private final Counter refreshes;
  private final Counter leases;

  CacheMetrics(Metrics metrics) {
    requests = metrics.counter("hyperion_cache_requests_total", "Cache lookups by layer and result", "cache",
        "layer", "result");
    loads = metrics.counter("hyperion_cache_loads_total", "Loader runs by result", "cache", "result");
    loadDuration = metrics.histogram("hyperion_cache_load_duration_seconds", "Loader run duration", "cache");
    evictions = metrics.counter("hyperion_cache_evictions_total", "L1 entries evicted, by cause", "cache", "cause");
    size = metrics.gauge("hyperion_cache_size", "L1 entries (estimate)", "cache");
    weight = metrics.gauge("hyperion_cache_weight", "L1 total weight, for caches bounded by max_weight", "cache");
    writeFailures = metrics.counter("hyperion_cache_l2_write_failures_total",
        "L2 writes (put, put_all, fill, delete, clear) that failed, timed out or were skipped by the breaker",
        "cache");
    timeouts = metrics.counter("hyperion_cache_l2_timeouts_total",
        "L2 operations the caller stopped waiting for after l2_timeout; they go on in the background", "cache",
        "operation");
    l2Duration = metrics.histogram("hyperion_cache_l2_duration_seconds",
        "How long callers waited for L2, by operation (bounded by l2_timeout)", L2_BUCKETS, "cache", "operation");
    valueErrors = metrics.counter("hyperion_cache_l2_value_errors_total",
        "Values L2 could not decode (read as misses) or refused to store (encode, too_large)", "cache", "reason");
    breakerOpen = metrics.gauge("hyperion_cache_breaker_open", "1 while the L2 circuit breaker is open or probing",
        "cache");
    refreshes = metrics.counter("hyperion_cache_refreshes_total",
        "Background reloads started by refresh_after, by result", "cache", "result");
    leases = metrics.counter("hyperion_cache_leases_total",
        "Loads of caches with distributed_load, by how the load lease went", "cache", "result");
  }

  /** The children of one cache. */
  final class Bound {
    final Counter.Child l1Hit;
    final Counter.Child l1Miss;
    final Counter.Child l2Hit;
    final Counter.Child l2Miss;
    final Counter.Child l2Error;
    final Counter.Child loadSuccess;
    final Counter.Child loadFailure;
    final Histogram.Child loadDuration;
    final Counter.Child writeFailures;
    final Gauge.Child size;
    final Gauge.Child weight;
    final Gauge.Child breakerOpen;
    /** Expired values served because the loader failed ({@code stale_if_error}), by the layer they came from. */
    final Counter.Child l1Stale;
    final Counter.Child l2Stale;
    /** Refresh-ahead reloads: replaced the value, failed (old value kept), not started (executor full). */
    final Counter.Child refreshSuccess;
    final Counter.Child refreshFailure;
    final Counter.Child refreshRejected;
    /**
     * distributed_load: this instance took the lease and loaded; waited and got another instance's
     * value; took the lease over after waiting; loaded without a lease because L2 failed; loaded
     * without a lease because the wait ran out.
     */
    final Counter.Child leaseAcquired;
    final Counter.Child leaseWaited;
    final Counter.Child leaseTakenOver;
    final Counter.Child leaseFallback;
    final Counter.Child leaseTimeout;
    private final String cache;
    private final Map<EvictionCause, Counter.Child> evicted = new EnumMap<>(EvictionCause.class);
    private final Map<L2Op, Counter.Child> timeouts = new EnumMap<>(L2Op.class);
    private final Map<L2Op, Histogram.Child> l2Durations = new EnumMap<>(L2Op.class);

    /**
     * Binds the children of {@code cache}, configured by {@code spec}, with an L1 and an L2 or
     * not: L1 series only with an L1 that records statistics, L2 series only with an L2, stale
     * series only with {@code stale_if_error}, refresh series only with {@code refresh_after}, lease
     * series only with {@code distributed_load} and an L2.
     */
    Bound(String cache, CacheSpec spec, boolean l1, boolean l2) {
      this.cache = cache;
      boolean l1Stats = l1 && spec.recordStats();
      boolean stale = !spec.staleIfError().isZero();
      boolean refresh = !spec.refreshAfter().isZero();
      boolean lease = l2 && spec.distributedLoad();
      l1Hit = l1Stats ? requests.labels(cache, "l1", "hit") : NO_COUNT;
      l1Miss = l1Stats ? requests.labels(cache, "l1", "miss") : NO_COUNT;
      size = l1Stats ? CacheMetrics.this.size.labels(cache) : NO_GAUGE;
      weight = l1Stats ? CacheMetrics.this.weight.labels(cache) : NO_GAUGE;
      if (l1Stats) {
        for (EvictionCause cause : EvictionCause.values()) {
          evicted.put(cause, evictions.labels(cache, cause.name().toLowerCase(Locale.ROOT)));
        }
      }
      l2Hit = l2 ? requests.labels(cache, "l2", "hit") : NO_COUNT;
      l2Miss = l2 ? requests.labels(cache, "l2", "miss") : NO_COUNT;
      l2Error = l2 ? requests.labels(cache, "l2", Metrics.ERROR) : NO_COUNT;
      writeFailures = l2 ? CacheMetrics.this.writeFailures.labels(cache) : NO_COUNT;
      breakerOpen = l2 ? CacheMetrics.this.breakerOpen.labels(cache) : NO_GAUGE;
      breakerOpen.set(0);
      if (l2) {
        for (L2Op op : L2Op.values()) {
          timeouts.put(op, CacheMetrics.this.timeouts.labels(cache, op.label));
          l2Durations.put(op, l2Duration.labels(cache, op.label));
        }
      }
      l1Stale = stale && l1 ? requests.labels(cache, "l1", "stale") : NO_COUNT;
      l2Stale = stale && l2 ? requests.labels(cache, "l2", "stale") : NO_COUNT;
      refreshSuccess = refresh ? refreshes.labels(cache, Metrics.SUCCESS) : NO_COUNT;
      refreshFailure = refresh ? refreshes.labels(cache, Metrics.ERROR) : NO_COUNT;
      refreshRejected = refresh ? refreshes.labels(cache, "rejected") : NO_COUNT;
      leaseAcquired = lease ? leases.labels(cache, "acquired") : NO_COUNT;
      leaseWaited = lease ? leases.labels(cache, "waited") : NO_COUNT;
      leaseTakenOver = lease ? leases.labels(cache, "taken_over") : NO_COUNT;
      leaseFallback = lease ? leases.labels(cache, "fallback") : NO_COUNT;
      leaseTimeout = lease ? leases.labels(cache, "timeout") : NO_COUNT;
      loadSuccess = loads.labels(cache, Metrics.SUCCESS);
      loadFailure = loads.labels(cache, Metrics.ERROR);
      loadDuration = CacheMetrics.this.loadDuration.labels(cache);
    }

    void evicted(EvictionCause cause) {
      Counter.Child c = evicted.get(cause);
      if (c != null) {
        c.inc();
      }
    }

    void timedOut(L2Op op) {
      timeouts.get(op).inc();
    }

    void l2Duration(L2Op op, long nanos) {
      l2Durations.get(op).observe(nanos / 1e9);
    }

    /** A value the L2 could not decode ({@code decode}) or refused ({@link RejectedValueException#reason()}). */
    void valueError(String reason) {
      valueErrors.labels(cache, reason).inc();
    }
  }
}
