package hyperion.redis;

import hyperion.Component;
import hyperion.cache.InvalidationBus;
import hyperion.internal.RateLimitedLog;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link InvalidationBus} of {@code redis.coherence: tracking}: Redis server-assisted
 * client-side caching. Each instance keeps one dedicated RESP3 connection per master (one in
 * standalone and Sentinel mode, one per slot-serving master in Cluster mode) with {@code CLIENT
 * TRACKING ON BCAST PREFIX <key_prefix>}; Redis pushes an {@code invalidate} message naming every
 * key under the prefix that changes, whoever changed it (another instance, {@code redis-cli}, a
 * script, expiry or eviction). A key {@code <key_prefix><cache>:<key>} drops {@code key} of {@code
 * cache} from L1; a {@code null} invalidation (FLUSHDB, FLUSHALL) drops every L1 entry.
 *
 * <p>This instance's own writes come back too (they are made on the command connection, not the
 * tracking one, so {@code NOLOOP} cannot filter them): the L1 copy it just wrote is dropped when the
 * message arrives and the next read of that key is an L2 hit. {@link #publish} therefore sends
 * nothing. {@link #publishClear} sets and deletes one marker key {@code <key_prefix>:clear:<cache>}
 * in a script, which every instance receives as "the whole cache changed" (the SCAN+UNLINK of the
 * clear also invalidates each removed key).
 *
 * <p>One thread ({@code hyperion-redis-tracking}) opens the connections and re-checks them every
 * {@code reconnect_delay_max}, and at once when one is lost: it re-opens lost connections, moves
 * to the master the Sentinels name now ({@code SENTINEL get-master-addr-by-name}), tracks new
 * cluster masters and forgets ones that serve no slots. Each
 * time tracking is re-established (anything but the first connections at start), invalidations may
 * have been missed, so listeners get {@link Listener#reconnected()} after {@code CLIENT TRACKING}
 * succeeded. The connections do not reconnect by themselves: a fresh connection has no tracking
 * state, and this class alone decides when it is back.
 *
 * <p>A {@link BusWatchdog} PINGs every tracking connection every {@code coherence_timeout / 3} (a
 * reply comes after every push sent before it); when no round of pings was answered within {@code
 * coherence_timeout} (a connection cut without being closed, a hung master), listeners get {@link
 * Listener#suspended} (L1 cleared, then kept at most {@code coherence_timeout} per entry), counted
 * as a clear with reason {@code timeout}, and {@link
 * Listener#resumed()} once every connection answers again.
 */
@Singleton
final class RedisTrackingBus implements InvalidationBus, Component {
  private static final Logger LOG = System.getLogger(RedisTrackingBus.class.getName());
  /** After {@code key_prefix}: the marker key of a whole-cache clear. No cache key starts with ':'. */
  static final String CLEAR_MARKER = ":clear:";
  /** One invalidation for the marker key, and no key left behind. */
  private static final String CLEAR_SCRIPT = "redis.call('SET', KEYS[1], '1') redis.call('DEL', KEYS[1]) return 1";

  /** A connection with tracking on; {@code lost} once it disconnected (or this class closed it). */
  private record Tracked(String endpoint, StatefulRedisConnection<String, String> connection, AtomicBoolean lost) {}

  private final String keyPrefix;
  private final RedisClients clients;
  private final RedisErrors errors;
  private final CoherenceMetrics metrics;
  private final RedisConfig config;
  private final BusListeners listeners = new BusListeners();
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
  private final PushListener onPush = this::onPush;
  private final RateLimitedLog log = new RateLimitedLog(LOG, 10_000);
  private volatile ScheduledThreadPoolExecutor executor;
  private volatile boolean running;
  private volatile boolean up;
  /** False from the watchdog's timeout until a ping of every tracking connection is answered again. */
  private volatile boolean answering = true;
  private BusWatchdog watchdog;
  /** How many masters the last check found to track. */
  private volatile int wanted;
  /** Only on the executor thread: the first sweep after the first start, whose connections are no reconnect. */
  private boolean startup;
  /** Whether start() ran before: after a stop, L1 may hold copies no connection tracked. */
  private volatile boolean startedBefore;

  @Inject
  RedisTrackingBus(RedisClients clients, RedisErrors errors, CoherenceMetrics metrics, RedisConfig config,
      hyperion.config.Config root) {
    this.keyPrefix = RedisLayers.keyPrefix(config, root);
    this.clients = clients;
    this.errors = errors;
    this.metrics = metrics;
    this.config = config;
  }

  /**
   * Opens and closes the tracking connections with the clients. Only for the bus {@code
   * redis.coherence} chooses (Guice may construct both buses).
   */
  void attachToClients() {
    clients.attach(this);
  }

  // ---------------------------------------------------------------- InvalidationBus

  /** Sends nothing: Redis tells every tracking instance about the write itself. */
  @Override
  public CompletionStage<Void> publish(String cache, Collection<String> keys) {
    Objects.requireNonNull(cache, "cache");
    return CompletableFuture.completedFuture(null);
  }

  /** Sets and deletes {@code <key_prefix>:clear:<cache>}, which every instance reads as "all of cache changed". */
  @Override
  public CompletionStage<Void> publishClear(String cache) {
    String marker = keyPrefix + CLEAR_MARKER + Objects.requireNonNull(cache, "cache");
    var c = clients.commands();
    if (c == null) {
      return errors.notConnected(clients);
    }
    return errors.map(c.eval(CLEAR_SCRIPT, ScriptOutputType.INTEGER, marker), n -> null);
  }

  @Override
  public void subscribe(Listener listener) {
    listeners.add(listener);
  }

  // ---------------------------------------------------------------- for the health check and the watchdog

  /** Whether every master that should be tracked is, on an open connection. */
  boolean isUp() {
    return up;
  }

  /** For the health message: {@code "M of N masters tracked"}. */
  String trackedState() {
    int n = wanted;
    return trackedCount() + " of " + n + (n == 1 ? " master" : " masters") + " tracked";
  }

  /** How many connections currently have tracking on. */
  int trackedCount() {
    return (int) tracked.values().stream().filter(t -> !t.lost.get()).count();
  }

  /**
   * PINGs every tracking connection. Completes (never exceptionally) with {@code true} when every
   * master that should be tracked is, and each connection answered within {@code command_timeout};
   * {@code false} otherwise. For a liveness watchdog: a connection that was cut without being
   * closed answers nothing.
   */
  CompletionStage<Boolean> pingAll() {
    if (!up) {
      return CompletableFuture.completedFuture(false);
    }
    List<CompletableFuture<Boolean>> pings = new ArrayList<>();
    for (Tracked t : tracked.values()) {
      pings.add(t.connection.async().ping().toCompletableFuture()
          .orTimeout(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .handle((pong, error) -> error == null && "PONG".equalsIgnoreCase(pong)));
    }
    if (pings.isEmpty()) {
      return CompletableFuture.completedFuture(false);
    }
    return CompletableFuture.allOf(pings.toArray(CompletableFuture[]::new))
        .thenApply(v -> pings.stream().allMatch(CompletableFuture::join));
  }

  /**
   * Tells every listener to drop all of L1 and counts it under {@code reason} (a fixed word), for
   * when invalidations may have been missed.
   */
  void clearAll(String reason) {
    metrics.cleared(reason);
    listeners.reconnected();
  }

  /**
   * The watchdog's ping: completes normally only when every tracking connection answered (a reply
   * comes after every push sent before it on that connection), exceptionally otherwise.
   */
  private CompletionStage<?> ping() {
    return pingAll().thenApply(ok -> {
      if (!ok) {
        throw new IllegalStateException("a tracking connection is missing or did not answer");
      }
      return ok;
    });
  }

  /** No answer within {@code coherence_timeout}: L1 copies are not trusted until one comes. */
  private synchronized void notAnswering() {
    answering = false;
    metrics.up(false);
    if (listeners.suspend(config.coherenceTimeout())) {
      metrics.cleared("timeout");
    }
  }

  private synchronized void answeringAgain() {
    answering = true;
    metrics.up(up);
    listeners.resume();
  }

  // ---------------------------------------------------------------- lifecycle (driven by RedisClients)

  /**
   * Opens the tracking connections, waiting for the first attempt at most {@code connect_timeout +
   * command_timeout} (then it goes on in the background), and re-checks them every {@code
   * reconnect_delay_max}.
   */
  @Override
  public void start() throws Exception {
    ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "hyperion-redis-tracking");
      t.setDaemon(true);
      return t;
    });
    e.setRemoveOnCancelPolicy(true);
    executor = e;
    running = true;
    boolean firstStart = !startedBefore;
    startedBefore = true;
    Future<?> first = e.submit(() -> {
      startup = firstStart;
      try {
        sweep();
      } finally {
        startup = false;
      }
    });
    long period = config.reconnectDelayMax().toMillis();
    e.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    synchronized (this) {
      if (watchdog == null) {
        watchdog = new BusWatchdog("tracking", this::ping, () -> up, config.coherenceTimeout(),
            this::notAnswering, this::answeringAgain);
        watchdog.start();
      }
    }
    try {
      first.get(config.connectTimeout().plus(config.commandTimeout()).toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException slow) {
      LOG.log(Level.WARNING, "redis: tracking not established yet; continuing in the background");
    }
  }

  @Override
  public void stop() {
    running = false;
    synchronized (this) {
      if (watchdog != null) {
        watchdog.close();
        watchdog = null;
      }
    }
    ScheduledThreadPoolExecutor e = executor;
    if (e != null) {
      e.shutdownNow(); // not awaited: the thread may wait for RedisClients, which is stopping us
    }
    tracked.values().forEach(this::close);
    tracked.clear();
    up = false;
    metrics.up(false);
  }

  @Override
  public int phase() {
    return PHASE_CLIENTS;
  }

  @Override
  public String name() {
    return "redis-tracking";
  }

  // ---------------------------------------------------------------- connections

  /**
   * The masters to track, by {@code host:port}, and the URI to reach each; {@code null} when it
   * cannot be known now (no Sentinel answers): then the tracked connections are kept as they are.
   */
  private Map<String, RedisURI> endpoints() {
    return switch (config.mode()) {
      case STANDALONE -> Map.of(config.host(0) + ":" + config.port(0), clients.uri(0));
      case SENTINEL -> {
        String master = clients.sentinelMaster();
        yield master == null ? null : Map.of(master, clients.nodeUri(master));
      }
      case CLUSTER -> clients.clusterMasters();
    };
  }

  /** Brings the tracked connections in line with the masters; on the executor thread only. */
  private void sweep() {
    if (!running) {
      return;
    }
    try {
      Map<String, RedisURI> want = endpoints();
      if (want == null) {
        want = new java.util.HashMap<>();
        for (Tracked t : tracked.values()) {
          want.put(t.endpoint, null); // keep what is tracked; nothing new can be opened
        }
      } else {
        wanted = want.size();
      }
      for (Tracked t : tracked.values()) {
        String why = t.lost.get() || !t.connection.isOpen() ? "lost"
            : !want.containsKey(t.endpoint) ? (config.mode() == RedisConfig.Mode.SENTINEL
                ? "the Sentinels name another master" : "no longer a master serving slots")
            : null;
        if (why != null) {
          tracked.remove(t.endpoint, t);
          close(t);
          LOG.log(Level.INFO, "redis: tracking connection to {0} dropped: {1}", t.endpoint, why);
        }
      }
      for (Map.Entry<String, RedisURI> e : want.entrySet()) {
        if (running && e.getValue() != null && !tracked.containsKey(e.getKey())) {
          open(e.getKey(), e.getValue());
        }
      }
      boolean nowUp = running && !want.isEmpty()
          && want.keySet().stream().allMatch(k -> tracked.containsKey(k) && !tracked.get(k).lost.get());
      setUp(nowUp);
    } catch (RuntimeException e) {
      log.warn("sweep", () -> "redis: checking the tracking connections failed: " + e);
    }
  }

  private void open(String endpoint, RedisURI uri) {
    StatefulRedisConnection<String, String> c;
    try {
      c = clients.connectDedicated(uri);
    } catch (RuntimeException e) {
      log.warn("connect:" + endpoint, () -> "redis: tracking connection to " + endpoint + " failed (" + e
          + "); L1 copies may go stale until it is back, retrying every " + config.reconnectDelayMax().toMillis()
          + " ms");
      return;
    }
    Tracked t = new Tracked(endpoint, c, new AtomicBoolean());
    c.addListener(onPush);
    c.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        if (t.lost.compareAndSet(false, true) && running) {
          setUp(false);
          log.warn("lost:" + endpoint, () -> "redis: tracking connection to " + endpoint
              + " lost; L1 copies may go stale until it is back");
          ScheduledThreadPoolExecutor e = executor;
          try {
            e.execute(RedisTrackingBus.this::sweep); // try again now, not at the next periodic check
          } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // stop() shut the executor down meanwhile: nothing to re-open
          }
        }
      }
    });
    try {
      TrackingArgs args = new TrackingArgs().enabled(true).bcast();
      if (!keyPrefix.isEmpty()) {
        args.prefixes(keyPrefix);
      }
      c.sync().clientTracking(args);
    } catch (RuntimeException e) {
      close(t);
      log.warn("track:" + endpoint, () -> "redis: CLIENT TRACKING on " + endpoint + " failed: "
          + RedisErrors.classify(e) + " (needs Redis 6+ and the ACL permission for CLIENT)");
      return;
    }
    tracked.put(endpoint, t);
    LOG.log(Level.INFO, "redis: tracking keys {0}* on {1}", keyPrefix, endpoint);
    if (!startup) {
      LOG.log(Level.INFO, "redis: tracking re-established on {0}; telling listeners to drop L1", endpoint);
      clearAll("reconnect");
    }
  }

  private void close(Tracked t) {
    t.lost.set(true);
    try {
      t.connection.close();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "redis: closing a tracking connection failed", e);
    }
    clients.closed(t.connection);
  }

  private void setUp(boolean isUp) {
    up = isUp;
    metrics.up(isUp && answering);
  }

  // ---------------------------------------------------------------- invalidations

  /** On a Lettuce I/O thread. */
  private void onPush(PushMessage message) {
    if (!"invalidate".equals(message.getType())) {
      return;
    }
    metrics.received();
    List<Object> content = message.getContent(StringCodec.UTF8::decodeKey);
    Object keys = content.size() > 1 ? content.get(1) : null;
    if (!(keys instanceof List<?> list)) {
      // FLUSHDB / FLUSHALL: every key changed.
      clearAll("flush");
      return;
    }
    int applied = 0;
    for (Object k : list) {
      applied += apply(k instanceof ByteBuffer b ? StringCodec.UTF8.decodeKey(b) : String.valueOf(k));
    }
    if (applied > 0) {
      metrics.applied(applied);
    }
  }

  /** Drops the L1 copy {@code redisKey} stands for; 1 if it names a cache entry (or cache), else 0. */
  private int apply(String redisKey) {
    if (!redisKey.startsWith(keyPrefix)) {
      return 0;
    }
    String rest = redisKey.substring(keyPrefix.length());
    String cache;
    String key;
    if (rest.startsWith(CLEAR_MARKER)) {
      cache = rest.substring(CLEAR_MARKER.length());
      key = null;
    } else {
      int colon = rest.indexOf(':');
      if (colon <= 0) {
        return 0; // load leases (":lease:...") and anything else under the prefix that is no cache entry
      }
      cache = rest.substring(0, colon);
      key = rest.substring(colon + 1);
    }
    if (cache.isEmpty()) {
      return 0;
    }
    listeners.invalidate(cache, key == null ? null : List.of(key));
    return 1;
  }

  @Override
  public String toString() {
    return "RedisTrackingBus[" + keyPrefix + "*, " + trackedCount() + " tracked]";
  }
}
