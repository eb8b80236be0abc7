package hyperion.redis;

import hyperion.Component;
import hyperion.config.Config;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Owns the Lettuce client, its resources and the two connections (one multiplexed command
 * connection, one pub/sub connection; in {@code coherence: tracking} mode no pub/sub connection,
 * and {@link #connectDedicated dedicated connections} for the tracking bus instead). Started in
 * {@link Component#PHASE_CLIENTS}; stopping stops the {@link #attach attached} components, closes
 * every connection and shuts the client down.
 *
 * <p>If Redis cannot be reached at start, the service still starts: the connection attempt is
 * retried in the background with the reconnect back-off, and until it succeeds every cache call
 * is a miss (reads) or a dropped write. Once connected, Lettuce reconnects by itself.
 */
@Singleton
final class RedisClients implements Component {
  private static final Logger LOG = System.getLogger(RedisClients.class.getName());

  /** Keys are UTF-8 strings, values raw bytes (the {@link Codec} owns their format). */
  static final RedisCodec<String, byte[]> CODEC = StringBytesCodec.INSTANCE;

  private final RedisConfig config;
  private final String clientName;
  private final String serverAddress;
  private final int serverPort;

  private ClientResources resources;
  private final CommandLatencyRecorder latencyRecorder; // null: Lettuce's default
  private AbstractRedisClient client;
  private RedisClient dedicatedClient; // lazily, for connectDedicated; guarded by dedicatedLock
  private volatile StatefulRedisSentinelConnection<String, String> sentinel; // for sentinelMaster
  /** Not {@code this}: an attached component opens connections while {@link #start()} waits for it. */
  private final Object dedicatedLock = new Object();
  private final List<Component> attached = new CopyOnWriteArrayList<>();
  private ScheduledExecutorService scheduler;
  private final List<ScheduledFuture<?>> retries = new CopyOnWriteArrayList<>();
  private final List<StatefulConnection<?, ?>> opened = new CopyOnWriteArrayList<>();
  private final List<Consumer<StatefulRedisPubSubConnection<String, String>>> pubSubUsers =
      new CopyOnWriteArrayList<>();
  private volatile StatefulConnection<String, byte[]> connection;
  private volatile RedisClusterAsyncCommands<String, byte[]> commands;
  private volatile StatefulRedisPubSubConnection<String, String> pubSub;
  private volatile boolean stopped;
  private volatile boolean pubSubLate;
  private volatile boolean everStarted;

  @Inject
  RedisClients(RedisConfig config, Config root, hyperion.Metrics metrics,
      Optional<CommandLatencyRecorder> latencyRecorder) {
    this.config = config;
    this.latencyRecorder = latencyRecorder.orElse(null);
    metrics.gauge("hyperion_redis_connected", "1 when the Redis command connection is open, else 0",
        () -> isConnected() ? 1 : 0);
    this.clientName = config.clientName() != null ? config.clientName() : root.service().name();
    this.serverAddress = config.host(0);
    this.serverPort = config.port(0);
  }

  RedisConfig config() {
    return config;
  }

  /** The first configured address, for span attributes and health messages (never credentials). */
  String serverAddress() {
    return serverAddress;
  }

  int serverPort() {
    return serverPort;
  }

  /** The async command API of the shared connection, or {@code null} before the first connect. */
  RedisClusterAsyncCommands<String, byte[]> commands() {
    return commands;
  }

  /**
   * Whether the pub/sub connection was only established after failed attempts, i.e. the service
   * ran without the bus for a while and may have missed invalidations.
   */
  boolean pubSubWasLate() {
    return pubSubLate;
  }

  /** Whether {@link #start()} was ever called: false means the application's lifecycle was never started. */
  boolean everStarted() {
    return everStarted;
  }

  /** Whether {@link #stop()} has been called (and no start since). */
  boolean isStopped() {
    return stopped;
  }

  /** Whether the command connection is established and currently open. */
  boolean isConnected() {
    StatefulConnection<String, byte[]> c = connection;
    return c != null && c.isOpen();
  }

  /**
   * Calls {@code user} with the pub/sub connection once it is established (now, if it already
   * is). Used by the invalidation bus.
   */
  synchronized void onPubSub(Consumer<StatefulRedisPubSubConnection<String, String>> user) {
    pubSubUsers.add(user);
    if (pubSub != null) {
      user.accept(pubSub);
    }
  }

  /**
   * Starts {@code dependent} whenever this component starts (after its client exists) and stops it
   * before this component closes the connections. For parts that must open their own connections,
   * such as the tracking bus, without being components of their own in every mode.
   */
  void attach(Component dependent) {
    attached.add(dependent);
  }

  /**
   * Opens a new RESP3 connection to {@code uri} that does not reconnect by itself, for state the
   * caller must re-establish on a fresh connection ({@code CLIENT TRACKING}). Same TLS, timeouts,
   * client name and credentials as the other connections. The caller closes it; {@link #stop()}
   * closes it too.
   *
   * @throws RuntimeException when it cannot connect (or the server does not speak RESP3)
   */
  StatefulRedisConnection<String, String> connectDedicated(RedisURI uri) {
    return keep(dedicatedClient().connect(StringCodec.UTF8, uri));
  }

  private RedisClient dedicatedClient() {
    synchronized (dedicatedLock) {
      if (stopped || resources == null) {
        throw new IllegalStateException("redis: the client is stopped");
      }
      if (dedicatedClient == null) {
        dedicatedClient = RedisClient.create(resources);
        dedicatedClient.setOptions(standaloneOptions(false).protocolVersion(ProtocolVersion.RESP3).build());
      }
      return dedicatedClient;
    }
  }

  private <C extends StatefulConnection<?, ?>> C keep(C connection) {
    synchronized (dedicatedLock) {
      if (stopped) {
        connection.close();
        throw new IllegalStateException("redis: the client is stopped");
      }
      opened.add(connection);
    }
    return connection;
  }

  /**
   * {@code host:port} of the master the Sentinels name now ({@code SENTINEL get-master-addr-by-name},
   * on one connection to a Sentinel kept for it), or {@code null} when no Sentinel answers within
   * the command timeout. Sentinel mode only; blocks.
   */
  String sentinelMaster() {
    StatefulRedisSentinelConnection<String, String> s = sentinel;
    try {
      if (s == null || !s.isOpen()) {
        if (s != null) {
          s.close();
          opened.remove(s);
        }
        s = keep(dedicatedClient().connectSentinel(StringCodec.UTF8, sentinelUri()));
        sentinel = s;
      }
      SocketAddress a = s.sync().getMasterAddrByName(config.masterName());
      if (a instanceof InetSocketAddress i) {
        return i.getHostString() + ":" + i.getPort();
      }
      return null;
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "redis: no Sentinel named the master", e);
      if (s != null) {
        s.close(); // the next call tries the Sentinels again, in order
        opened.remove(s);
        sentinel = null;
      }
      return null;
    }
  }

  /** The URI of one server, {@code host:port}, with database, TLS, timeouts, client name and credentials. */
  RedisURI nodeUri(String hostAndPort) {
    int colon = hostAndPort.lastIndexOf(':');
    return finish(RedisURI.Builder.redis(hostAndPort.substring(0, colon),
        Integer.parseInt(hostAndPort.substring(colon + 1))));
  }

  /** Forgets a connection from {@link #connectDedicated} after the caller closed it. */
  void closed(StatefulConnection<?, ?> connection) {
    opened.remove(connection);
  }

  /**
   * The URIs of the cluster masters that serve slots, by {@code host:port}, as the command
   * connection last read the topology (periodic and adaptive refresh); empty before it connected.
   */
  java.util.Map<String, RedisURI> clusterMasters() {
    java.util.Map<String, RedisURI> masters = new java.util.TreeMap<>();
    if (connection instanceof StatefulRedisClusterConnection<String, byte[]> cluster) {
      for (RedisClusterNode node : cluster.getPartitions()) {
        if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.is(RedisClusterNode.NodeFlag.FAIL)
            && !node.hasNoSlots()) {
          String host = node.getUri().getHost();
          int port = node.getUri().getPort();
          masters.put(host + ":" + port, finish(RedisURI.Builder.redis(host, port)));
        }
      }
    }
    return masters;
  }

  @Override
  public int phase() {
    return PHASE_CLIENTS;
  }

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public synchronized void start() {
    if (client != null) {
      return;
    }
    stopped = false;
    everStarted = true;
    ClientResources.Builder builder = ClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), config.reconnectDelayMax(), 2, TimeUnit.MILLISECONDS));
    if (latencyRecorder != null) {
      builder.commandLatencyRecorder(latencyRecorder);
    }
    resources = builder.build();
    scheduler = resources.eventExecutorGroup();
    client = newClient();
    LOG.log(Level.INFO, "redis: connecting ({0})", config);
    connectWithRetry("command connection", this::connectCommands, (c, failedAttempts) -> {
      connection = c;
      commands = asyncOf(c);
    });
    if (config.coherence() == RedisConfig.Coherence.PUBSUB) {
      connectWithRetry("pub/sub connection", this::connectPubSub, (c, failedAttempts) -> {
        synchronized (this) {
          pubSub = c;
          pubSubLate = failedAttempts > 0;
          pubSubUsers.forEach(u -> u.accept(c));
        }
      });
    }
    for (Component c : attached) {
      try {
        c.start();
      } catch (Exception e) {
        LOG.log(Level.ERROR, "redis: starting " + c + " failed", e);
      }
    }
  }

  @Override
  public synchronized void stop() {
    for (Component c : attached) {
      try {
        c.stop();
      } catch (Exception e) {
        LOG.log(Level.WARNING, "redis: stopping " + c + " failed", e);
      }
    }
    synchronized (dedicatedLock) {
      stopped = true; // after this, connectDedicated adds nothing to opened
    }
    retries.forEach(f -> f.cancel(false));
    retries.clear();
    commands = null;
    connection = null;
    pubSub = null;
    sentinel = null;
    for (StatefulConnection<?, ?> c : opened) {
      try {
        c.close();
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "redis: closing a connection failed", e);
      }
    }
    opened.clear();
    synchronized (dedicatedLock) {
      if (dedicatedClient != null) {
        dedicatedClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        dedicatedClient = null;
      }
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      client = null;
    }
    if (resources != null) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      resources = null;
    }
  }

  /**
   * Tries {@code connect}; on failure logs and schedules another attempt with back-off, forever,
   * until it succeeds or the component stops.
   */
  private <C extends StatefulConnection<?, ?>> void connectWithRetry(String what, Supplier<C> connect,
      BiConsumer<C, Integer> onConnected) {
    attempt(what, connect, onConnected, 0);
  }

  private <C extends StatefulConnection<?, ?>> void attempt(String what, Supplier<C> connect,
      BiConsumer<C, Integer> onConnected, int attempt) {
    if (stopped) {
      return;
    }
    try {
      C c = connect.get();
      synchronized (this) {
        if (stopped) {
          c.close();
          return;
        }
        opened.add(c);
      }
      if (attempt > 0) {
        LOG.log(Level.INFO, "redis: {0} established after {1} failed attempts", what, attempt);
      }
      onConnected.accept(c, attempt);
    } catch (RuntimeException e) {
      long delay = Math.min(config.reconnectDelayMax().toMillis(), 100L << Math.min(attempt, 10));
      if (attempt == 0 || attempt % 20 == 0) {
        LOG.log(Level.WARNING, "redis: {0} to {1}:{2} failed ({3}); service runs uncached, retrying",
            what, serverAddress, String.valueOf(serverPort), e.toString());
      }
      ScheduledExecutorService s = scheduler;
      if (s != null && !stopped) {
        retries.add(s.schedule(() -> attempt(what, connect, onConnected, attempt + 1), delay, TimeUnit.MILLISECONDS));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static RedisClusterAsyncCommands<String, byte[]> asyncOf(StatefulConnection<String, byte[]> c) {
    if (c instanceof StatefulRedisClusterConnection<String, byte[]> cluster) {
      return cluster.async();
    }
    return ((StatefulRedisConnection<String, byte[]>) c).async();
  }

  private StatefulConnection<String, byte[]> connectCommands() {
    return switch (config.mode()) {
      case STANDALONE -> ((RedisClient) client).connect(CODEC, uri(0));
      case SENTINEL -> MasterReplica.connect((RedisClient) client, CODEC, sentinelUri());
      case CLUSTER -> warmUp(((RedisClusterClient) client).connect(CODEC));
    };
  }

  /**
   * Opens the connections to every master now, so the first command to a node is not rejected
   * while its connection is still being established.
   */
  private static StatefulRedisClusterConnection<String, byte[]> warmUp(StatefulRedisClusterConnection<String, byte[]> c) {
    for (RedisClusterNode node : c.getPartitions()) {
      if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
        try {
          // Commands are routed to host:port connections, so warm those (not the node-id ones).
          c.getConnection(node.getUri().getHost(), node.getUri().getPort()).sync().ping();
        } catch (RuntimeException e) {
          LOG.log(Level.DEBUG, "redis: cannot pre-connect to a cluster node yet", e);
        }
      }
    }
    return c;
  }

  private StatefulRedisPubSubConnection<String, String> connectPubSub() {
    return switch (config.mode()) {
      case STANDALONE -> ((RedisClient) client).connectPubSub(StringCodec.UTF8, uri(0));
      case SENTINEL -> ((RedisClient) client).connectPubSub(StringCodec.UTF8, sentinelUri());
      case CLUSTER -> ((RedisClusterClient) client).connectPubSub(StringCodec.UTF8);
    };
  }

  private AbstractRedisClient newClient() {
    SocketOptions socket = SocketOptions.builder().connectTimeout(config.connectTimeout()).keepAlive(true).build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(config.commandTimeout());
    if (config.mode() == RedisConfig.Mode.CLUSTER) {
      List<RedisURI> seeds = new ArrayList<>();
      for (int i = 0; i < config.addresses().size(); i++) {
        seeds.add(uri(i));
      }
      Duration period = config.topologyRefreshPeriod();
      Duration adaptiveLimit = period.compareTo(Duration.ofSeconds(5)) < 0 ? period : Duration.ofSeconds(5);
      RedisClusterClient cluster = RedisClusterClient.create(resources, seeds);
      ClusterClientOptions.Builder options = ClusterClientOptions.builder()
          .autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .requestQueueSize(config.requestQueueSize())
          .socketOptions(socket)
          .timeoutOptions(timeouts)
          .maxRedirects(config.maxRedirects())
          .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
              .enablePeriodicRefresh(period)
              .enableAllAdaptiveRefreshTriggers()
              .adaptiveRefreshTriggersTimeout(adaptiveLimit)
              .refreshTriggersReconnectAttempts(3)
              .build());
      ssl().ifPresent(options::sslOptions);
      cluster.setOptions(options.build());
      return cluster;
    }
    RedisClient standalone = RedisClient.create(resources);
    standalone.setOptions(standaloneOptions(true).build());
    return standalone;
  }

  private ClientOptions.Builder standaloneOptions(boolean autoReconnect) {
    ClientOptions.Builder options = ClientOptions.builder()
        .autoReconnect(autoReconnect)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(config.requestQueueSize())
        .socketOptions(SocketOptions.builder().connectTimeout(config.connectTimeout()).keepAlive(true).build())
        .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()));
    ssl().ifPresent(options::sslOptions);
    return options;
  }

  private java.util.Optional<SslOptions> ssl() {
    if (!config.tlsEnabled() || config.tlsCaFile() == null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(SslOptions.builder().jdkSslProvider().trustManager(new File(config.tlsCaFile()))
        .build());
  }

  /** The URI of {@code addresses[i]} with database, TLS, timeouts, client name and credentials. */
  RedisURI uri(int i) {
    RedisURI.Builder b = RedisURI.Builder.redis(config.host(i), config.port(i));
    return finish(b);
  }

  private RedisURI sentinelUri() {
    RedisURI.Builder b = RedisURI.Builder.sentinel(config.host(0), config.port(0), config.masterName());
    for (int i = 1; i < config.addresses().size(); i++) {
      b.withSentinel(config.host(i), config.port(i));
    }
    return finish(b);
  }

  private RedisURI finish(RedisURI.Builder b) {
    b.withDatabase(config.database())
        .withTimeout(config.commandTimeout())
        .withClientName(clientName)
        .withSsl(config.tlsEnabled());
    if (config.tlsEnabled()) {
      b.withVerifyPeer(config.tlsVerifyPeer() ? SslVerifyMode.FULL : SslVerifyMode.NONE);
    }
    if (config.password() != null) {
      if (config.username() != null) {
        b.withAuthentication(config.username(), config.password().reveal().toCharArray());
      } else {
        b.withPassword(config.password().reveal().toCharArray());
      }
    }
    return b.build();
  }

  @Override
  public String toString() {
    return "RedisClients[" + config.mode().name().toLowerCase(Locale.ROOT) + " " + serverAddress + ":" + serverPort
        + "]";
  }
}
