package hyperion.testkit;

import hyperion.cache.LocalLayer;
import hyperion.config.CacheSpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A {@link LocalLayer} over a map with per-entry deadlines on a controllable clock, for testing the
 * tier without an adapter. Unbounded; expired entries are dropped when read (reported as {@link
 * EvictionCause#EXPIRED}).
 */
public final class InMemoryLocalLayer implements LocalLayer {

  private record Stored(Object value, long deadline) {}

  /** Creates layers on {@code nanos} (a {@link FakeTicker} in tests); {@link #layers} keeps them by name. */
  public static final class Factory implements LocalLayer.Factory {
    private final LongSupplier nanos;
    /** Every layer created, by cache name. */
    public final Map<String, InMemoryLocalLayer> layers = new ConcurrentHashMap<>();

    /** Layers on the system clock. */
    public Factory() {
      this(System::nanoTime);
    }

    /** Layers on {@code nanos}. */
    public Factory(LongSupplier nanos) {
      this.nanos = nanos;
    }

    @Override
    public LocalLayer create(String name, CacheSpec spec, Evictions evictions, Hits hits, Timing timing) {
      InMemoryLocalLayer layer = new InMemoryLocalLayer(nanos, evictions, hits);
      layers.put(name, layer);
      return layer;
    }
  }

  private final Map<String, Stored> map = new ConcurrentHashMap<>();
  private final LongSupplier nanos;
  private final Evictions evictions;
  private final Hits hits;

  private InMemoryLocalLayer(LongSupplier nanos, Evictions evictions, Hits hits) {
    this.nanos = nanos;
    this.evictions = evictions;
    this.hits = hits;
  }

  @Override
  public long nanoTime() {
    return nanos.getAsLong();
  }

  @Override
  public Object get(String key) {
    Stored s = map.get(key);
    if (s == null) {
      return null;
    }
    long now = nanos.getAsLong();
    if (now - s.deadline >= 0) {
      if (map.remove(key, s)) {
        evictions.evicted(EvictionCause.EXPIRED);
      }
      return null;
    }
    if (s.value instanceof Timed t) {
      t.read(now);
    }
    if (hits != null) {
      hits.hit(key, now);
    }
    return s.value;
  }

  @Override
  public void put(String key, Object value, long ttlNanos) {
    map.put(key, new Stored(value, nanos.getAsLong() + ttlNanos));
  }

  @Override
  public long remainingNanos(String key) {
    Stored s = map.get(key);
    return s == null ? 0 : Math.max(0, s.deadline - nanos.getAsLong());
  }

  @Override
  public boolean invalidate(String key) {
    return map.remove(key) != null;
  }

  @Override
  public void invalidateAll() {
    map.clear();
  }

  @Override
  public long size() {
    return map.size();
  }

  @Override
  public long weight() {
    return -1;
  }
}
