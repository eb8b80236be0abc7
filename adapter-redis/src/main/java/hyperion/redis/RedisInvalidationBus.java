package hyperion.redis;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import hyperion.Component;
import hyperion.cache.InvalidationBus;
import hyperion.config.Config;
import hyperion.internal.RateLimitedLog;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link InvalidationBus} over Redis pub/sub ({@code coherence: pubsub}): one channel per service
 * ({@code redis.invalidation_channel}, default {@code <key_prefix>invalidations}). A message is a small
 * JSON object {@code {"s":stream id,"i":instance,"t":publish time ms,"c":cache,"k":[keys]}} ({@code k}
 * absent: the whole cache), one per write however many keys it wrote; an instance ignores the ones it
 * sent. Messages of earlier formats (no {@code s}/{@code t}; one key as a string) are still understood.
 *
 * <p>Replay. Unless {@code invalidation_stream_length} is 0, a Lua script appends each message to a
 * stream beside the channel ({@code <channel>:stream}, {@code XADD MAXLEN ~ length}) and publishes it
 * carrying the new entry's id, in one round trip and atomically. Each instance remembers the highest id
 * it applied, starting from the newest one before it first subscribes. Each time the subscription
 * starts, it reads the entries after that id and applies them; only when the stream no longer holds
 * that id (trimmed past it, or lost with Redis) or the read fails do listeners get {@link
 * Listener#reconnected()}, which clears L1.
 *
 * <p>Staleness bound. A {@link BusWatchdog} pings the pub/sub connection; without an answer within
 * {@code coherence_timeout} listeners get {@link Listener#suspended} (L1 cleared, then kept at most
 * {@code coherence_timeout} per entry) and,
 * once it answers again and any replay is done, {@link Listener#resumed()}.
 *
 * <p>Classic (not sharded) pub/sub in every mode: in Cluster mode a PUBLISH, also from a script, reaches
 * subscribers on any node, so the subscriber may reconnect to whichever node is up.
 */
@Singleton
final class RedisInvalidationBus implements InvalidationBus, Component {
  private static final Logger LOG = System.getLogger(RedisInvalidationBus.class.getName());
  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();

  /** Entries read per round trip of a replay. */
  static final int REPLAY_PAGE = 1000;

  /** Pause before reading a replay page again after a failure. */
  static final long REPLAY_RETRY_MILLIS = 100;

  /**
   * KEYS[1] stream, ARGV[1] message (JSON), ARGV[2] stream length, ARGV[3] channel: appends the message
   * and publishes it with the entry's id put in front ({@code {"s":"<id>",...}}); returns the id.
   */
  static final String PUBLISH = """
      local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
      redis.call('PUBLISH', ARGV[3], '{"s":"' .. id .. '",' .. string.sub(ARGV[1], 2))
      return id""";

  /**
   * KEYS[1] stream, ARGV[1] stream length: the id of the newest entry, after appending an empty marker
   * entry if the stream is empty, so that an instance's position is always an id the stream held.
   */
  static final String POSITION = """
      local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
      if last[1] then return last[1][1] end
      return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'm', '{}')""";

  /**
   * KEYS[1] stream, ARGV[1] id, ARGV[2] count: {oldest id, id, message, id, message, …} for up to count
   * entries after the id; {} when the stream is empty or absent. One script, so the oldest id and
   * the page are of the same moment.
   */
  static final String REPLAY = """
      local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
      if not first[1] then return {} end
      local out = {first[1][1]}
      for _, e in ipairs(redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])) do
        out[#out + 1] = e[1]
        out[#out + 1] = e[2][2]
      end
      return out""";

  /** The wire format ({@code s} is added by the script). */
  record Message(String i, Long t, String c, List<String> k) {}

  /** A stream entry id, {@code <ms>-<seq>}. */
  record StreamId(long ms, long seq) implements Comparable<StreamId> {
    static StreamId parse(String id) {
      int dash = id.indexOf('-');
      return new StreamId(Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1)));
    }

    @Override
    public int compareTo(StreamId o) {
      int c = Long.compare(ms, o.ms);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }

    static StreamId max(StreamId a, StreamId b) {
      return a == null ? b : b == null || a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public String toString() {
      return ms + "-" + seq;
    }
  }

  private final String instanceId = UUID.randomUUID().toString();
  private final String channel;
  private final String stream;
  private final String streamLength;
  /** The most entries one replay reads: the stream's length plus two pages of slack (trimming is approximate). */
  private final int maxReplay;
  private final long timeoutNanos;
  private final RedisClients clients;
  private final RedisErrors errors;
  private final CoherenceMetrics metrics;
  private final java.time.Duration coherenceTimeout;
  /** Made at each start, so the component can start again after a stop. */
  private BusWatchdog watchdog;
  private final BusListeners listeners = new BusListeners();
  private final AtomicBoolean subscribedOnce = new AtomicBoolean();
  private final RateLimitedLog log = new RateLimitedLog(LOG, 10_000);
  /** The highest stream id applied here (live or replayed); {@code null}: no position yet. */
  private final AtomicReference<StreamId> applied = new AtomicReference<>();
  private volatile StatefulRedisPubSubConnection<String, String> connection;
  // Guarded by this: the state that decides suspended/resumed and the up gauge.
  private boolean answering = true;
  private boolean caughtUp;
  /** Bumped at every disconnect: a replay of an earlier connection does not count as caught up. */
  private int generation;

  @Inject
  RedisInvalidationBus(RedisClients clients, RedisErrors errors, RedisConfig redis, Config config,
      CoherenceMetrics metrics) {
    this.channel = channel(redis, config);
    this.stream = streamKey(channel);
    this.streamLength = Integer.toString(redis.invalidationStreamLength());
    this.maxReplay = redis.invalidationStreamLength() + 2 * REPLAY_PAGE;
    this.timeoutNanos = redis.coherenceTimeout().toNanos();
    this.clients = clients;
    this.errors = errors;
    this.metrics = metrics;
    this.coherenceTimeout = redis.coherenceTimeout();
  }

  /**
   * Subscribes on every pub/sub connection the clients open and starts the watchdog with them. Only
   * for the bus {@code redis.coherence} chooses (Guice may construct both buses).
   */
  void attachToClients() {
    clients.onPubSub(this::attach);
    clients.attach(this);
  }

  static String channel(RedisConfig redis, Config config) {
    return redis.invalidationChannel() != null ? redis.invalidationChannel()
        : RedisLayers.keyPrefix(redis, config) + "invalidations";
  }

  /** The key of the replay stream of {@code channel}. */
  static String streamKey(String channel) {
    return channel + ":stream";
  }

  String channel() {
    return channel;
  }

  String instanceId() {
    return instanceId;
  }

  /** The highest stream id this instance applied, or {@code null}. */
  String position() {
    StreamId id = applied.get();
    return id == null ? null : id.toString();
  }

  private boolean replays() {
    return !"0".equals(streamLength);
  }

  // ---------------------------------------------------------------- lifecycle (the watchdog)

  /** Attached to the clients, so the watchdog's clock starts once the connections are being opened. */
  @Override
  public int phase() {
    return PHASE_CLIENTS + 1;
  }

  @Override
  public String name() {
    return "redis-invalidation-bus";
  }

  @Override
  public synchronized void start() {
    if (watchdog == null) {
      watchdog = new BusWatchdog("pubsub", this::ping, this::isCaughtUp, coherenceTimeout, this::notAnswering,
          this::answeringAgain);
      watchdog.start();
    }
  }

  @Override
  public synchronized void stop() {
    if (watchdog != null) {
      watchdog.close();
      watchdog = null;
    }
  }

  private CompletionStage<?> ping() {
    var c = connection;
    return c == null || !c.isOpen() ? null : c.async().ping();
  }

  private synchronized void notAnswering() {
    answering = false;
    metrics.up(false);
    if (listeners.suspend(coherenceTimeout)) {
      metrics.cleared("timeout");
    }
  }

  private synchronized void answeringAgain() {
    answering = true;
    maybeResume();
  }

  private synchronized boolean isCaughtUp() {
    return caughtUp;
  }

  private synchronized int generation() {
    return generation;
  }

  /** The replay (or clear) that began in {@code gen} is done; counts only if no disconnect came since. */
  private synchronized void caughtUp(int gen) {
    if (gen == generation) {
      caughtUp = true;
      maybeResume();
    }
  }

  private synchronized void fellBehind() {
    generation++;
    caughtUp = false;
    metrics.up(false);
  }

  private void maybeResume() {
    if (answering && caughtUp) {
      metrics.up(true);
      listeners.resume();
    }
  }

  // ---------------------------------------------------------------- publishing

  @Override
  public CompletionStage<Void> publish(String cache, Collection<String> keys) {
    return send(new Message(instanceId, System.currentTimeMillis(), Objects.requireNonNull(cache, "cache"),
        List.copyOf(keys)));
  }

  @Override
  public CompletionStage<Void> publishClear(String cache) {
    return send(new Message(instanceId, System.currentTimeMillis(), Objects.requireNonNull(cache, "cache"), null));
  }

  private CompletionStage<Void> send(Message m) {
    byte[] payload;
    try {
      payload = JSON.writeValueAsBytes(m);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    var c = clients.commands();
    if (c == null) {
      return errors.notConnected(clients);
    }
    if (!replays()) {
      return errors.map(c.publish(channel, payload), receivers -> null);
    }
    return errors.map(c.<byte[]>eval(PUBLISH, ScriptOutputType.VALUE, new String[] {stream}, payload,
        bytes(streamLength), bytes(channel)), id -> null);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- receiving

  @Override
  public void subscribe(Listener listener) {
    listeners.add(listener);
  }

  private void attach(StatefulRedisPubSubConnection<String, String> c) {
    c.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String ch, String message) {
        if (channel.equals(ch)) {
          receive(message, false);
        }
      }

      @Override
      public void subscribed(String ch, long count) {
        if (channel.equals(ch)) {
          onSubscribed();
        }
      }
    });
    c.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        if (clients.isStopped()) {
          return;
        }
        fellBehind();
        LOG.log(Level.WARNING, "redis: invalidation bus disconnected; replaying what it missed once it is back");
      }
    });
    connection = c;
    if (!replays()) {
      c.async().subscribe(channel);
      return;
    }
    // The position first: every entry after it is then either received live or replayed.
    newest().whenComplete((id, e) -> {
      if (e != null) {
        log.warn("position", () -> "redis: cannot read the invalidation stream " + stream + " ("
            + RedisErrors.classify(e) + "); L1 is cleared when the subscription starts");
      } else {
        advance(id);
      }
      c.async().subscribe(channel);
    });
  }

  /**
   * Runs on the connection's event loop before any message that follows the subscription. Every
   * subscription, the first included, replays from the position, which was taken before it (the
   * first time: before subscribing; after a clear: before clearing), so no entry can fall between
   * the position and the live messages.
   */
  private void onSubscribed() {
    boolean first = !subscribedOnce.getAndSet(true);
    int gen = generation();
    if (first && clients.pubSubWasLate()) {
      // The service ran without the bus until now: what it missed before taking a position is unknown.
      clear("stream_gap", "subscribed only after Redis was unreachable at start", gen);
      return;
    }
    if (!replays()) {
      if (first) {
        caughtUp(gen);
      } else {
        clear("no_stream", "invalidation_stream_length is 0", gen);
      }
      return;
    }
    StreamId from = applied.get();
    if (from == null) {
      clear("stream_gap", "no position in the stream to replay from", gen);
      return;
    }
    if (!first) {
      LOG.log(Level.INFO, "redis: invalidation bus re-subscribed to {0}; replaying from {1}", channel, from);
    }
    replay(from, from, 0, gen);
  }

  /**
   * The stream's newest id, appending an empty marker entry if the stream is empty; failed when it
   * cannot be read.
   */
  private CompletionStage<StreamId> newest() {
    var c = clients.commands();
    CompletionStage<byte[]> id = c == null ? errors.notConnected(clients)
        : errors.map(c.<byte[]>eval(POSITION, ScriptOutputType.VALUE, new String[] {stream}, bytes(streamLength)),
            r -> r);
    return id.thenApply(b -> StreamId.parse(text(b)));
  }

  /**
   * Reads a page of entries after {@code after} and applies them ({@code done}: entries read so far);
   * pages on until a short page. A page whose stream no longer holds {@code after} (oldest entry
   * newer) means entries were trimmed or lost unseen: clear instead. A page that cannot be read (the
   * command connection may come back after the pub/sub one) is tried again every {@value
   * #REPLAY_RETRY_MILLIS} ms until {@code coherence_timeout} after the replay began, then L1 is cleared.
   */
  private void replay(StreamId start, StreamId after, int done, int gen) {
    replay(start, after, done, gen, System.nanoTime() + timeoutNanos);
  }

  private void replay(StreamId start, StreamId after, int done, int gen, long deadline) {
    if (gen != generation()) {
      return; // a later subscription replays for itself
    }
    var c = clients.commands();
    CompletionStage<List<Object>> page = c == null ? errors.notConnected(clients)
        : errors.map(c.<List<Object>>eval(REPLAY, ScriptOutputType.MULTI, new String[] {stream},
            bytes(after.toString()), bytes(Integer.toString(REPLAY_PAGE))), r -> r);
    page.whenComplete((entries, e) -> {
      if (e != null) {
        if (System.nanoTime() - deadline < 0) {
          CompletableFuture.runAsync(() -> replay(start, after, done, gen, deadline),
              CompletableFuture.delayedExecutor(REPLAY_RETRY_MILLIS, TimeUnit.MILLISECONDS));
        } else {
          clear("replay_failed", "reading the invalidation stream failed (" + RedisErrors.classify(e) + ")", gen);
        }
        return;
      }
      try {
        if (entries.isEmpty() || StreamId.parse(text(entries.get(0))).compareTo(after) > 0) {
          clear("stream_gap", "the stream no longer holds " + after + " (more missed than it keeps, or lost)", gen);
          return;
        }
        StreamId last = after;
        int count = 0;
        for (int i = 1; i + 1 < entries.size(); i += 2) {
          last = StreamId.parse(text(entries.get(i)));
          if (receive(text(entries.get(i + 1)), true)) {
            count++;
          }
          advance(last);
        }
        metrics.replayed(count);
        int read = (entries.size() - 1) / 2;
        int total = done + read;
        if (read == REPLAY_PAGE) {
          if (total > maxReplay) { // writes outpace the replay: give up rather than chase them
            clear("stream_gap", "more than " + maxReplay + " invalidations to replay", gen);
            return;
          }
          replay(start, last, total, gen, deadline);
          return;
        }
        LOG.log(Level.INFO, "redis: replay after {0} read {1} stream entries", start, total);
        caughtUp(gen);
      } catch (RuntimeException bad) {
        clear("replay_failed", "unexpected reply from the invalidation stream (" + bad + ")", gen);
      }
    });
  }

  private static String text(Object o) {
    return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
  }

  /**
   * Clears every L1 (counted with {@code reason}) and counts as caught up (for {@code gen}). With a
   * stream, the newest id is read first and becomes the position, so whatever comes after it is
   * either cleared now or applied later; the clear waits for that read (at most {@code
   * command_timeout}). When it fails there is no position, and the next reconnect clears again.
   */
  private void clear(String reason, String why, int gen) {
    LOG.log(Level.INFO, "redis: invalidation bus on {0}: {1}; telling listeners to drop L1", channel, why);
    if (!replays()) {
      wipe(reason, gen);
      return;
    }
    newest().whenComplete((id, e) -> {
      applied.set(e == null ? id : null);
      wipe(reason, gen);
    });
  }

  private void wipe(String reason, int gen) {
    metrics.cleared(reason);
    listeners.reconnected();
    caughtUp(gen);
  }

  private void advance(StreamId id) {
    applied.accumulateAndGet(id, StreamId::max);
  }

  /**
   * Applies one message (live, or {@code replayed} from the stream); {@code true} when it came from
   * another instance and was applied.
   */
  private boolean receive(String text, boolean replayed) {
    String instance;
    String cache;
    List<String> keys;
    StreamId id = null;
    long publishedAt;
    try {
      JsonNode m = JSON.readTree(text);
      instance = m.path("i").asText(null);
      cache = m.path("c").asText(null);
      publishedAt = m.path("t").asLong(0);
      if (m.hasNonNull("s")) {
        id = StreamId.parse(m.get("s").asText());
      }
      JsonNode k = m.get("k");
      if (k == null || k.isNull()) {
        keys = null;
      } else if (k.isTextual()) {
        keys = List.of(k.asText()); // the one-key format of earlier versions
      } else if (k.isArray()) {
        keys = new ArrayList<>(k.size());
        for (JsonNode key : k) {
          keys.add(key.asText());
        }
      } else {
        throw new IllegalArgumentException("k");
      }
    } catch (Exception e) {
      log.warn("bad-message", () -> "redis: ignoring a malformed invalidation message on " + channel);
      return false;
    }
    if (cache == null || instanceId.equals(instance)) {
      if (id != null) {
        advance(id);
      }
      return false;
    }
    if (!replayed) {
      metrics.received();
    }
    listeners.invalidate(cache, keys);
    metrics.applied(keys == null ? 1 : keys.size());
    if (publishedAt > 0) {
      metrics.lag((System.currentTimeMillis() - publishedAt) / 1000.0);
    }
    if (id != null) {
      advance(id); // after applying: a replay from here never skips what was not applied yet
    }
    return true;
  }

  @Override
  public String toString() {
    return "RedisInvalidationBus[" + channel + "]";
  }
}
