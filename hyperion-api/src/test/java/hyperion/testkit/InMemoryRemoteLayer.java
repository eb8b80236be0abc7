package hyperion.testkit;

import hyperion.cache.RejectedValueException;
import hyperion.cache.RemoteEntry;
import hyperion.cache.RemoteLayer;
import hyperion.config.CacheSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A {@link RemoteLayer} over an in-memory {@link Server} that several simulated instances share,
 * with the semantics a real layer must have (tombstones, conditional writes, per-entry TTL on a
 * wall clock) and fault injection, so the tier can be tested without a server. It passes the
 * {@link RemoteLayerContract}.
 *
 * <p>Values are stored as objects; "decoding" as a type the value is not fails, like a codec would.
 */
public final class InMemoryRemoteLayer implements RemoteLayer {

  /** Stands in for the encoded form of a value too large to store: put it to test refusals. */
  public static final Object TOO_LARGE = new Object() {
    @Override
    public String toString() {
      return "InMemoryRemoteLayer.TOO_LARGE";
    }
  };

  /** The shared store and its faults: one per simulated deployment. */
  public static final class Server implements RemoteLayer.Factory {
    private final Map<String, Stored> data = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();
    private final Supplier<Long> millis;
    private final java.util.concurrent.ScheduledExecutorService timer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "in-memory-remote-layer");
          t.setDaemon(true);
          return t;
        });
    private volatile RuntimeException failure;
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean blackhole;
    /** How long an unanswered call waits before failing, like a client's command timeout. */
    public volatile Duration commandTimeout = Duration.ofSeconds(1);
    /** Every call made, for tests that count L2 traffic. */
    public final AtomicLong calls = new AtomicLong();

    /** A server on the system wall clock. */
    public Server() {
      this(System::currentTimeMillis);
    }

    /** A server on {@code millis} (wall clock milliseconds). */
    public Server(Supplier<Long> millis) {
      this.millis = millis;
    }

    @Override
    public RemoteLayer create(String name, CacheSpec spec) {
      return new InMemoryRemoteLayer(this, name);
    }

    /** From now on every call fails with {@code failure} at once; {@code null} heals. */
    public void failWith(RuntimeException failure) {
      this.failure = failure;
    }

    /** From now on every call is answered {@code delay} late; zero heals. */
    public void delay(Duration delay) {
      this.delay = delay;
    }

    /**
     * From now on no call is answered: each fails after {@link #commandTimeout} (and has no effect),
     * like a hung server; {@code false} heals.
     */
    public void blackhole(boolean on) {
      this.blackhole = on;
    }

    /** The raw stored value of {@code cache}'s {@code key}, or {@code null} (tombstones included). */
    public Object peek(String cache, String key) {
      Stored s = live(cache + ":" + key);
      return s == null || s.tombstone ? null : s.value;
    }

    private Stored live(String k) {
      Stored s = data.get(k);
      return s != null && s.expiresAt > millis.get() ? s : null;
    }

    /** Runs {@code op} as a call: with the current faults applied, answered asynchronously. */
    private <T> CompletionStage<T> call(Supplier<T> op) {
      calls.incrementAndGet();
      CompletableFuture<T> f = new CompletableFuture<>();
      if (failure != null) {
        f.completeExceptionally(failure);
        return f;
      }
      if (blackhole) {
        timer.schedule(() -> f.completeExceptionally(new TimeoutException("no answer within " + commandTimeout)),
            commandTimeout.toNanos(), TimeUnit.NANOSECONDS);
        return f;
      }
      Runnable run = () -> {
        try {
          f.complete(op.get());
        } catch (RuntimeException e) {
          f.completeExceptionally(e);
        }
      };
      if (delay.isZero()) {
        timer.execute(run);
      } else {
        timer.schedule(run, delay.toNanos(), TimeUnit.NANOSECONDS);
      }
      return f;
    }
  }

  private record Stored(Object value, long expiresAt, long version, boolean tombstone) {}

  private record Entry(Stored stored) implements RemoteEntry {
    @Override
    public boolean present() {
      return stored != null && !stored.tombstone;
    }

    @Override
    public <T> T decode(Class<T> type) {
      return type.cast(stored.value);
    }

    /** Holds objects, not bytes: the value itself, whatever type arguments are asked for. */
    @Override
    public Object decode(java.lang.reflect.Type type) {
      return stored.value;
    }

    @Override
    public long expiresAtMillis() {
      return present() ? stored.expiresAt : 0;
    }
  }

  private final Server server;
  private final String prefix;

  private InMemoryRemoteLayer(Server server, String name) {
    this.server = server;
    this.prefix = name + ":";
  }

  private Entry read(String key) {
    return new Entry(server.live(prefix + key));
  }

  private Stored stored(Object value, long ttlMillis) {
    if (value == TOO_LARGE) {
      throw new RejectedValueException(RejectedValueException.TOO_LARGE, "a value of 2 GB exceeds the limit");
    }
    return new Stored(value, server.millis.get() + ttlMillis, server.versions.incrementAndGet(), false);
  }

  @Override
  public CompletionStage<RemoteEntry> get(String key) {
    return server.call(() -> read(key));
  }

  @Override
  public CompletionStage<List<RemoteEntry>> getAll(List<String> keys) {
    return server.call(() -> keys.stream().map(k -> (RemoteEntry) read(k)).toList());
  }

  @Override
  public CompletionStage<Boolean> exists(String key) {
    return server.call(() -> read(key).present());
  }

  @Override
  public CompletionStage<Void> put(String key, Object value, long ttlMillis) {
    Stored s;
    try {
      s = stored(value, ttlMillis);
    } catch (RejectedValueException e) {
      server.data.remove(prefix + key); // the old value must not outlive the write that replaced it
      return CompletableFuture.failedFuture(e);
    }
    return server.call(() -> {
      server.data.put(prefix + key, s);
      return null;
    });
  }

  @Override
  public CompletionStage<Boolean> putIfUnchanged(String key, Object value, long ttlMillis, RemoteEntry seen) {
    Stored s;
    try {
      s = stored(value, ttlMillis);
    } catch (RejectedValueException e) {
      return CompletableFuture.failedFuture(e);
    }
    Stored expected = ((Entry) seen).stored;
    return server.call(() -> {
      synchronized (server.data) {
        Stored now = server.live(prefix + key);
        long nowVersion = now == null ? 0 : now.version;
        long seenVersion = expected == null || expected.expiresAt <= server.millis.get() ? 0 : expected.version;
        if (nowVersion != seenVersion) {
          return false;
        }
        server.data.put(prefix + key, s);
        return true;
      }
    });
  }

  @Override
  public CompletionStage<Void> putAll(Map<String, ?> entries, long ttlMillis) {
    Map<String, Stored> batch = new LinkedHashMap<>();
    try {
      entries.forEach((k, v) -> batch.put(prefix + k, stored(v, ttlMillis)));
    } catch (RejectedValueException e) {
      return CompletableFuture.failedFuture(e);
    }
    return server.call(() -> {
      server.data.putAll(batch);
      return null;
    });
  }

  @Override
  public CompletionStage<Boolean> delete(String key, long tombstoneMillis) {
    return server.call(() -> {
      synchronized (server.data) {
        Stored old = server.live(prefix + key);
        server.data.put(prefix + key, new Stored(null, server.millis.get() + tombstoneMillis,
            server.versions.incrementAndGet(), true));
        return old != null && !old.tombstone;
      }
    });
  }

  @Override
  public CompletionStage<Void> clear() {
    return server.call(() -> {
      server.data.keySet().removeIf(k -> k.startsWith(prefix));
      return null;
    });
  }

  @Override
  public Map<String, Object> spanAttributes() {
    return Map.of("db.system.name", "in-memory");
  }
}
