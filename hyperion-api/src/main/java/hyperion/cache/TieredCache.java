package hyperion.cache;

import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Counter;
import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.InvalidationBus;
import hyperion.Metrics;
import hyperion.Span;
import hyperion.SpanKind;
import hyperion.Tracer;
import hyperion.config.CacheConfig;
import hyperion.config.CacheSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A two-level {@link Cache}: an in-process L1 in front of a shared L2, kept coherent across
 * instances by an {@link InvalidationBus}.
 *
 * <ul>
 *   <li>Reads go L1 → L2 → loader. An L2 hit is copied into L1 for at most the entry's remaining
 *       L2 time-to-live. Concurrent {@code getOrLoad} calls for a key share one L2 lookup and one
 *       loader run.
 *   <li>Writes go to L2, then L1, then an invalidation is published so other instances drop their
 *       L1 copy. {@code delete} and {@code clear} reach both layers and publish too. Incoming
 *       invalidations evict L1; a bus reconnect clears every L1 cache.
 *   <li>Every TTL is shortened by a random fraction up to {@code ttl_jitter}, so keys written
 *       together do not expire together.
 *   <li>With {@code negative_ttl} set, a loader's {@code null} is remembered in L1: {@code
 *       getOrLoad} then returns {@code null} without running the loader, while {@code get} reports
 *       a miss.
 *   <li>L2 calls run on a small bounded pool and are abandoned after {@code l2_timeout}; failures,
 *       timeouts and rejections count as misses ({@code result="error"}), are logged rate-limited,
 *       and after {@code breaker_failures} consecutive ones a circuit breaker skips L2 for {@code
 *       breaker_cooldown} before letting one probe through.
 * </ul>
 *
 * <p>Built by {@code hyperion.HyperionModule} when both an {@code @L1} and an {@code @L2} cache
 * manager are bound; {@link #builder} composes one by hand (tests, tools).
 */
public final class TieredCache implements Cache {

  /** Stands for "the loader found nothing" in L1. Its class is private, so no caller type matches it
   * except {@code Object}, which the read paths check for explicitly. */
  static final Object NEGATIVE = new Object() {
    @Override
    public String toString() {
      return "TieredCache.NEGATIVE";
    }
  };

  /** What {@link #callL2} returns when L2 failed, timed out or was skipped by the breaker. */
  private static final Object FAILED = new Object();

  private final String name;
  private final Cache l1;
  private final Cache l2;
  private final InvalidationBus bus;
  private final Tracer tracer;
  private final ExecutorService l2Executor;
  private final Duration defaultTtl;
  private final double jitter;
  private final Duration negativeTtl;
  private final long l2TimeoutNanos;
  private final CircuitBreaker breaker;
  private final RateLimitedLog log = new RateLimitedLog();
  private final LoadCoalescer loads = new LoadCoalescer();
  /**
   * Bumped by every local write and every invalidation. A load or L2 read that saw another value of
   * it when it started does not fill L1, so a value read before an invalidation cannot be cached
   * after it.
   */
  private final AtomicLong epoch = new AtomicLong();

  private final Counter.Child l2Hit;
  private final Counter.Child l2Miss;
  private final Counter.Child l2Error;
  private final Counter.Child loadSuccess;
  private final Counter.Child loadFailure;
  private final Histogram.Child loadDuration;
  private final Counter.Child l2WriteFailures;

  TieredCache(String name, Cache l1, Cache l2, CacheSpec spec, Shared shared) {
    this.name = name;
    this.l1 = l1;
    this.l2 = l2;
    this.bus = shared.bus;
    this.tracer = shared.tracer;
    this.l2Executor = shared.l2Executor;
    this.defaultTtl = spec.defaultTtl();
    this.jitter = spec.ttlJitter();
    this.negativeTtl = spec.negativeTtl();
    this.l2TimeoutNanos = spec.l2Timeout().toNanos();
    this.l2Hit = shared.requests.labels(name, "l2", "hit");
    this.l2Miss = shared.requests.labels(name, "l2", "miss");
    this.l2Error = shared.requests.labels(name, "l2", "error");
    this.loadSuccess = shared.loads.labels(name, "success");
    this.loadFailure = shared.loads.labels(name, "failure");
    this.loadDuration = shared.loadDuration.labels(name);
    this.l2WriteFailures = shared.writeFailures.labels(name);
    Gauge.Child open = shared.breakerOpen.labels(name);
    open.set(0);
    this.breaker = new CircuitBreaker(spec.breakerFailures(), spec.breakerCooldown(), shared.nanos, state -> {
      open.set(state == CircuitBreaker.CLOSED ? 0 : 1);
      if (state == CircuitBreaker.OPEN) {
        log.warn("cache '" + name + "': L2 circuit breaker open after " + spec.breakerFailures()
            + " consecutive failures; skipping L2 for " + spec.breakerCooldown(), null);
      } else if (state == CircuitBreaker.CLOSED) {
        System.getLogger(TieredCache.class.getName()).log(System.Logger.Level.INFO,
            "cache '" + name + "': L2 answered again, circuit breaker closed");
      }
    });
  }

  /**
   * The manager that composes same-named caches of {@code l1} and {@code l2}, subscribed to {@code
   * bus}, with settings from {@code config}; this is what {@code HyperionModule} binds when both
   * layers are installed.
   */
  public static CacheManager manager(CacheManager l1, CacheManager l2, InvalidationBus bus, CacheConfig config,
      Metrics metrics, Tracer tracer) {
    return builder(l1, l2).bus(bus).config(config).metrics(metrics).tracer(tracer).build();
  }

  /** A builder for a tiered manager over {@code l1} and {@code l2}, for tests and hand wiring. */
  public static Builder builder(CacheManager l1, CacheManager l2) {
    return new Builder(l1, l2);
  }

  /**
   * Configures a tiered {@link CacheManager}. Metrics and a tracer are required; the bus defaults to
   * one that reaches no other instance, the config to the built-in defaults, the clock (used by the
   * circuit breaker) to {@link System#nanoTime()}.
   */
  public static final class Builder {
    private final CacheManager l1;
    private final CacheManager l2;
    private InvalidationBus bus;
    private CacheConfig config = new CacheConfig(Map.of());
    private Metrics metrics;
    private Tracer tracer;
    private LongSupplier nanos = System::nanoTime;
    private int l2Threads = TieredManager.DEFAULT_L2_THREADS;

    private Builder(CacheManager l1, CacheManager l2) {
      this.l1 = Objects.requireNonNull(l1, "l1");
      this.l2 = Objects.requireNonNull(l2, "l2");
    }

    /** The bus that carries invalidations between instances. */
    public Builder bus(InvalidationBus bus) {
      this.bus = Objects.requireNonNull(bus, "bus");
      return this;
    }

    /** The {@code cache} configuration section. */
    public Builder config(CacheConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** Where the per-layer request, load and breaker metrics go. */
    public Builder metrics(Metrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** Where the spans around L2 calls and loader runs go. */
    public Builder tracer(Tracer tracer) {
      this.tracer = Objects.requireNonNull(tracer, "tracer");
      return this;
    }

    /** The monotonic clock in nanoseconds the circuit breaker measures its cool-down with. */
    public Builder clock(LongSupplier nanos) {
      this.nanos = Objects.requireNonNull(nanos, "nanos");
      return this;
    }

    /**
     * The number of threads that run L2 calls (default 16); also bounds how many calls can be stuck
     * on a hung L2 at once.
     */
    public Builder l2Threads(int threads) {
      if (threads <= 0) {
        throw new IllegalArgumentException("l2Threads must be positive, got " + threads);
      }
      this.l2Threads = threads;
      return this;
    }

    /** The manager. */
    public CacheManager build() {
      Objects.requireNonNull(metrics, "metrics (call metrics(...) before build())");
      Objects.requireNonNull(tracer, "tracer (call tracer(...) before build())");
      InvalidationBus b = bus != null ? bus : TieredManager.NO_BUS;
      return new TieredManager(l1, l2, b, config, metrics, tracer, nanos, l2Threads);
    }
  }

  /** What all caches of one manager share: ports, instruments, the L2 pool, the clock. */
  record Shared(InvalidationBus bus, Tracer tracer, ExecutorService l2Executor, LongSupplier nanos,
      Counter requests, Counter loads, Histogram loadDuration, Counter writeFailures, Gauge breakerOpen) {}

  // ---------------------------------------------------------------- reads

  /** {@inheritDoc} */
  @Override
  public String name() {
    return name;
  }

  /** {@inheritDoc} A negatively cached key is a miss here. */
  @Override
  public <T> Optional<T> get(String key, Class<T> type) {
    CacheArguments.key(key);
    Objects.requireNonNull(type, "type");
    Optional<T> hit = l1.get(key, type);
    if (hit.isPresent()) {
      return hit.get() == NEGATIVE ? Optional.empty() : hit;
    }
    Entry<T> e = readL2(key, type, null);
    return e == null ? Optional.empty() : Optional.of(e.value());
  }

  /** {@inheritDoc} */
  @Override
  public <T> Optional<Entry<T>> getEntry(String key, Class<T> type) {
    CacheArguments.key(key);
    Objects.requireNonNull(type, "type");
    Optional<Entry<T>> hit = l1.getEntry(key, type);
    if (hit.isPresent()) {
      return hit.get().value() == NEGATIVE ? Optional.empty() : hit;
    }
    return Optional.ofNullable(readL2(key, type, null));
  }

  /** {@inheritDoc} */
  @Override
  public boolean exists(String key) {
    CacheArguments.key(key);
    Optional<Object> hit = l1.get(key, Object.class);
    if (hit.isPresent()) {
      return hit.get() != NEGATIVE;
    }
    Object r = callL2("exists", () -> l2.exists(key));
    if (r == FAILED) {
      l2Error.inc();
      return false;
    }
    boolean found = (Boolean) r;
    (found ? l2Hit : l2Miss).inc();
    return found;
  }

  /**
   * {@inheritDoc} Keys missing from L1 are fetched from L2 in one call; they are not copied into L1,
   * because a bulk read does not tell their remaining time-to-live.
   */
  @Override
  public <T> Map<String, T> getAll(Collection<String> keys, Class<T> type) {
    keys.forEach(CacheArguments::key);
    Objects.requireNonNull(type, "type");
    Map<String, T> found = new LinkedHashMap<>(l1.getAll(keys, type));
    found.values().removeIf(v -> v == NEGATIVE);
    List<String> missing = new ArrayList<>();
    for (String k : keys) {
      if (!found.containsKey(k) && !missing.contains(k)) {
        missing.add(k);
      }
    }
    if (missing.isEmpty()) {
      return found;
    }
    Object r = callL2("getAll", () -> l2.getAll(missing, type));
    if (r == FAILED) {
      l2Error.inc(missing.size());
      return found;
    }
    @SuppressWarnings("unchecked")
    Map<String, T> fromL2 = (Map<String, T>) r;
    l2Hit.inc(fromL2.size());
    l2Miss.inc(missing.size() - fromL2.size());
    // Keep the caller's key order.
    Map<String, T> out = new LinkedHashMap<>();
    for (String k : keys) {
      T v = found.containsKey(k) ? found.get(k) : fromL2.get(k);
      if (v != null) {
        out.put(k, v);
      }
    }
    return out;
  }

  /**
   * {@inheritDoc} L1, then L2 (once per coalesced load), then the loader; its result is written to
   * both layers. With negative caching on, a {@code null} is remembered in L1 for {@code
   * negative_ttl}.
   */
  @Override
  public <T> T getOrLoad(String key, Class<T> type, Duration ttl, Loader<? extends T> loader) {
    CacheArguments.key(key);
    CacheArguments.ttl(ttl);
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(loader, "loader");
    Optional<Object> hit = l1.get(key, Object.class);
    if (hit.isPresent()) {
      Object v = hit.get();
      if (v == NEGATIVE) {
        return null;
      }
      if (type.isInstance(v)) {
        return type.cast(v);
      }
      // Another type under this key: a miss for this caller; the load below replaces it.
    }
    Object v = loads.run(key, () -> loadThrough(key, type, ttl, loader));
    if (v == null || v == NEGATIVE) {
      return null;
    }
    // A concurrent load for another type: load for this caller without caching.
    return type.isInstance(v) ? type.cast(v) : CacheArguments.load(name, key, loader);
  }


  /** The leader's part of a coalesced load: L2, else the loader and write-through. */
  private <T> Object loadThrough(String key, Class<T> type, Duration ttl, Loader<? extends T> loader) {
    long seen = epoch.get();
    Entry<T> fromL2 = readL2(key, type, ttl);
    if (fromL2 != null) {
      return fromL2.value();
    }
    T value;
    long start = System.nanoTime();
    try (Span span = tracer.spanBuilder("cache.load").kind(SpanKind.INTERNAL).attribute("cache.name", name).start()) {
      try {
        value = CacheArguments.load(name, key, loader);
      } catch (RuntimeException | Error e) {
        span.recordError(e);
        loadFailure.inc();
        throw e;
      } finally {
        loadDuration.observe((System.nanoTime() - start) / 1e9);
      }
    }
    loadSuccess.inc();
    if (value == null) {
      if (negativeTtl.isZero()) {
        return null;
      }
      // L1 only: the sentinel has no encoding in L2, and "not found" is cheap to rediscover.
      if (epoch.get() == seen) {
        l1.put(key, NEGATIVE, jittered(negativeTtl));
      }
      return NEGATIVE;
    }
    Duration effective = jittered(ttl == null ? defaultTtl : ttl);
    writeL2("put", () -> {
      l2.put(key, value, effective);
      return null;
    });
    if (epoch.get() == seen) {
      l1.put(key, value, effective);
    }
    return value;
  }

  /**
   * Reads {@code key} from L2 and copies a hit into L1 for at most its remaining TTL (and at most
   * {@code ttl}, else the default TTL). Null on a miss or an L2 failure.
   */
  private <T> Entry<T> readL2(String key, Class<T> type, Duration ttl) {
    long seen = epoch.get();
    Object r = callL2("get", () -> l2.getEntry(key, type));
    if (r == FAILED) {
      l2Error.inc();
      return null;
    }
    @SuppressWarnings("unchecked")
    Optional<Entry<T>> e = (Optional<Entry<T>>) r;
    if (e.isEmpty()) {
      l2Miss.inc();
      return null;
    }
    l2Hit.inc();
    Entry<T> entry = e.get();
    Duration l1Ttl = jittered(ttl == null ? defaultTtl : ttl);
    if (entry.ttl() != null && entry.ttl().compareTo(l1Ttl) < 0) {
      l1Ttl = entry.ttl();
    }
    if (!l1Ttl.isNegative() && !l1Ttl.isZero() && epoch.get() == seen) {
      l1.put(key, entry.value(), l1Ttl);
    }
    return entry;
  }

  // ---------------------------------------------------------------- writes


  /**
   * {@inheritDoc} Written to L2 (an L2 failure is counted and logged, not thrown), then to L1, then
   * published as an invalidation.
   */
  @Override
  public void put(String key, Object value, Duration ttl) {
    CacheArguments.entry(key, value, ttl);
    Duration effective = jittered(ttl == null ? defaultTtl : ttl);
    writeL2("put", () -> {
      l2.put(key, value, effective);
      return null;
    });
    epoch.incrementAndGet();
    l1.put(key, value, effective);
    bus.publish(name, key);
  }

  /** {@inheritDoc} L2 gets the batch in one call; each L1 entry gets its own jittered TTL. */
  @Override
  public void putAll(Map<String, ?> entries, Duration ttl) {
    Objects.requireNonNull(entries, "entries");
    entries.forEach((k, v) -> CacheArguments.entry(k, v, ttl));
    if (entries.isEmpty()) {
      return;
    }
    Duration batch = jittered(ttl == null ? defaultTtl : ttl);
    Map<String, Object> copy = new LinkedHashMap<>(entries);
    writeL2("putAll", () -> {
      l2.putAll(copy, batch);
      return null;
    });
    epoch.incrementAndGet();
    copy.forEach((k, v) -> {
      l1.put(k, v, jittered(batch));
      bus.publish(name, k);
    });
  }

  /** {@inheritDoc} Removes the key from both layers and publishes an invalidation. */
  @Override
  public boolean delete(String key) {
    CacheArguments.key(key);
    Object r = writeL2("delete", () -> l2.delete(key));
    epoch.incrementAndGet();
    boolean inL1 = l1.delete(key);
    bus.publish(name, key);
    return inL1 || Boolean.TRUE.equals(r);
  }

  /** {@inheritDoc} Clears both layers and publishes a whole-cache invalidation. */
  @Override
  public void clear() {
    writeL2("clear", () -> {
      l2.clear();
      return null;
    });
    epoch.incrementAndGet();
    l1.clear();
    bus.publish(name, null);
  }

  // ---------------------------------------------------------------- invalidations

  /** Another instance changed {@code key} ({@code null}: everything); drop the L1 copy. */
  void invalidateLocal(String key) {
    epoch.incrementAndGet();
    if (key == null) {
      l1.clear();
    } else {
      l1.delete(key);
    }
  }

  int breakerState() {
    return breaker.state();
  }

  // ---------------------------------------------------------------- L2 plumbing

  private Duration jittered(Duration ttl) {
    if (jitter == 0) {
      return ttl;
    }
    long nanos = ttl.toNanos();
    long cut = (long) (nanos * jitter * ThreadLocalRandom.current().nextDouble());
    return Duration.ofNanos(Math.max(1, nanos - cut));
  }

  private Object writeL2(String op, Callable<?> call) {
    Object r = callL2(op, call);
    if (r == FAILED) {
      l2WriteFailures.inc();
    }
    return r;
  }

  /**
   * Runs {@code call} against L2 on the L2 pool, waiting at most {@code l2_timeout}, inside an
   * INTERNAL span (the L2 adapter adds the CLIENT span of the remote call itself, so there is one
   * CLIENT span per request on the wire). Returns its result, or {@link #FAILED} when the breaker is open or the call failed, timed
   * out or was rejected by the full pool. Never throws.
   */
  private Object callL2(String op, Callable<?> call) {
    if (!breaker.allow()) {
      return FAILED;
    }
    try (Span span = tracer.spanBuilder("cache.l2." + op).kind(SpanKind.INTERNAL).attribute("cache.name", name)
        .attribute("cache.operation", op).start()) {
      Future<?> f = null;
      try {
        f = l2Executor.submit(tracer.wrap(call));
        Object r = f.get(l2TimeoutNanos, TimeUnit.NANOSECONDS);
        breaker.success();
        return r;
      } catch (ExecutionException e) {
        return failed(span, op, e.getCause());
      } catch (TimeoutException e) {
        f.cancel(true); // frees the pool thread if the L2 client honours interrupts
        return failed(span, op, new TimeoutException("L2 " + op + " took longer than "
            + Duration.ofNanos(l2TimeoutNanos)));
      } catch (RejectedExecutionException e) {
        return failed(span, op, e);
      } catch (InterruptedException e) {
        // The caller was interrupted, L2 did nothing wrong: no breaker failure, no warning.
        f.cancel(true);
        Thread.currentThread().interrupt();
        breaker.abandon();
        span.recordError(e);
        return FAILED;
      } catch (RuntimeException e) {
        return failed(span, op, e); // a broken tracer or executor must not break the caller either
      }
    }
  }

  private Object failed(Span span, String op, Throwable error) {
    breaker.failure();
    span.recordError(error);
    log.warn("cache '" + name + "': L2 " + op + " failed, served without L2: " + error, null);
    return FAILED;
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return "TieredCache[" + name + "]";
  }
}
