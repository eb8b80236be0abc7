package hyperion.redis;

import hyperion.config.ConfigException;
import hyperion.config.ConfigSection;
import hyperion.config.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code redis} section ({@link #SECTION}), declared by {@link RedisModule}. Immutable; every
 * component is checked when the injector is built, and every problem fails start-up together with
 * those of the other sections, each naming the key.
 *
 * <p>The password is a {@link Secret}; {@link #toString()} also redacts {@code username}: this
 * record may be logged. An address with credentials in it ({@code redis://user:pw@host:6379}) is
 * refused, and the message shows it with the credentials masked.
 *
 * @param mode how the servers are deployed ({@code mode}): {@code standalone}, {@code sentinel} or
 *     {@code cluster}
 * @param addresses {@code host:port} (or {@code redis://host:port}, {@code rediss://host:port} for
 *     TLS) of the server (standalone, exactly one), of the Sentinels (sentinel) or of the cluster
 *     seed nodes (cluster) ({@code addresses})
 * @param database the logical database, 0-15; must be 0 in cluster mode ({@code database})
 * @param masterName the Sentinel master set name, required in sentinel mode ({@code master_name})
 * @param maxRedirects how many MOVED/ASK redirections a cluster command may follow ({@code
 *     max_redirects})
 * @param topologyRefreshPeriod how often the cluster topology is re-read, on top of the adaptive
 *     refresh on MOVED, ASK and reconnects ({@code topology_refresh_period})
 * @param username the ACL user; {@code null} authenticates as {@code default} ({@code username})
 * @param password the password (ACL user or {@code requirepass}); {@code null} for none ({@code
 *     password}). Never logged.
 * @param tls whether connections use TLS ({@code tls}); a {@code rediss://} address also turns it on
 * @param tlsVerifyPeer whether the server certificate and host name are verified ({@code
 *     tls_verify_peer}, default true)
 * @param tlsCaFile a PEM file of trusted CA certificates; {@code null} uses the JVM trust store
 *     ({@code tls_ca_file})
 * @param clientName the name shown by {@code CLIENT LIST}; {@code null} uses {@code service.name}
 *     ({@code client_name})
 * @param connectTimeout how long establishing a connection may take ({@code connect_timeout})
 * @param commandTimeout how long one command may take before the call is treated as a miss or a
 *     dropped write ({@code command_timeout}); keep it short
 * @param requestQueueSize how many commands may be in flight per connection before new ones are
 *     rejected ({@code request_queue_size}); bounds memory when Redis is slow
 * @param reconnectDelayMax the upper bound of the jittered exponential back-off between reconnect
 *     attempts ({@code reconnect_delay_max})
 * @param keyPrefix put in front of every key, followed by {@code <cache>:<key>}; {@code null} uses
 *     {@code <service.name>:} ({@code key_prefix})
 * @param maxValueBytes the largest encoded value written; larger ones are refused and counted
 *     ({@code max_value_bytes})
 * @param invalidationChannel the pub/sub channel of the invalidation bus; {@code null} uses {@code
 *     <key_prefix>invalidations} ({@code invalidation_channel})
 * @param coherence how L1 copies learn about changes ({@code coherence}): {@code pubsub} (the
 *     instances publish their writes) or {@code tracking} (Redis tells each instance which keys
 *     changed, whoever wrote them)
 * @param invalidationStreamLength how many recent invalidations Redis keeps (at least) in the stream
 *     {@code <invalidation_channel>:stream}, so an instance that reconnects replays what it missed
 *     instead of clearing its L1 ({@code invalidation_stream_length}; {@code 0} keeps none: every
 *     reconnect clears L1)
 * @param coherenceTimeout how long the invalidation bus may go without an answer from Redis (it is
 *     pinged every third of this) before this instance clears its L1 and keeps each new L1 copy at
 *     most this long, until the bus answers and has caught up ({@code coherence_timeout}); bounds staleness when the connection
 *     is cut without being closed
 */
public record RedisConfig(
    Mode mode,
    List<String> addresses,
    int database,
    String masterName,
    int maxRedirects,
    Duration topologyRefreshPeriod,
    String username,
    Secret password,
    boolean tls,
    boolean tlsVerifyPeer,
    String tlsCaFile,
    String clientName,
    Duration connectTimeout,
    Duration commandTimeout,
    int requestQueueSize,
    Duration reconnectDelayMax,
    String keyPrefix,
    int maxValueBytes,
    String invalidationChannel,
    Coherence coherence,
    int invalidationStreamLength,
    Duration coherenceTimeout) {

  /** How the Redis servers are deployed. */
  public enum Mode {
    /** One server (possibly with replicas the client does not use). */
    STANDALONE,
    /** A master/replica set monitored by Redis Sentinel; the client asks the Sentinels for the master. */
    SENTINEL,
    /** Redis Cluster: keys sharded over several masters by hash slot. */
    CLUSTER
  }

  /** How L1 copies are kept coherent with Redis ({@code coherence}). */
  public enum Coherence {
    /** Each instance publishes the keys it wrote on the invalidation channel. */
    PUBSUB,
    /** Redis server-assisted client-side caching ({@code CLIENT TRACKING}, RESP3). */
    TRACKING
  }

  private static final Pattern CREDENTIALS = Pattern.compile("^((?:[A-Za-z][A-Za-z0-9+.-]*://)?)([^@/]*)@");
  private static final Pattern HOST_PORT = Pattern.compile("(?:(rediss?)://)?(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9._-]+):(\\d{1,5})/?");
  private static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);

  /** The built-in defaults: one standalone server on {@code 127.0.0.1:6379}, database 0, no TLS. */
  public static final RedisConfig DEFAULTS = new RedisConfig(Mode.STANDALONE, List.of("127.0.0.1:6379"), 0, null,
      5, Duration.ofSeconds(30), null, null, false, true, null, null, Duration.ofSeconds(2), Duration.ofMillis(500),
      1000, Duration.ofSeconds(2), null, 1024 * 1024, null, Coherence.PUBSUB, 10_000, Duration.ofSeconds(3));

  /** Validates every component; see the class description for the keys. */
  public RedisConfig {
    ConfigException.Checks checks = ConfigException.checks();
    checks.require(mode != null, "mode", null, "one of standalone, sentinel, cluster");
    boolean some = checks.require(addresses != null && !addresses.isEmpty(), "addresses", addresses,
        "a non-empty list of host:port");
    addresses = some ? List.copyOf(addresses) : List.of();
    for (int i = 0; i < addresses.size(); i++) {
      String a = addresses.get(i);
      if (a != null && CREDENTIALS.matcher(a.trim()).find()) {
        checks.require(false, "addresses[" + i + "]", maskCredentials(a.trim()),
            "an address without credentials; set them in redis.username and redis.password");
      } else {
        checks.require(a != null && address(a) != null, "addresses[" + i + "]", a,
            "host:port, redis://host:port or rediss://host:port with a port from 1 to 65535");
      }
    }
    checks.require(!some || mode != Mode.STANDALONE || addresses.size() == 1, "addresses",
        addresses.stream().map(a -> a == null ? null : maskCredentials(a.trim())).toList(),
        "exactly one address in standalone mode");
    checks.require(database >= 0 && database <= 15, "database", database, "0 to 15");
    checks.require(mode != Mode.CLUSTER || database == 0, "database", database,
        "0 in cluster mode (Redis Cluster has only database 0)");
    checks.require(mode != Mode.SENTINEL || (masterName != null && !masterName.isBlank()), "master_name",
        masterName, "the Sentinel master set name (required in sentinel mode)");
    checks.require(maxRedirects >= 0 && maxRedirects <= 16, "max_redirects", maxRedirects, "0 to 16");
    checks.requirePositive(topologyRefreshPeriod, "topology_refresh_period",
        "a positive duration, e.g. 30s");
    checks.require(username == null || !username.isBlank(), "username", username,
        "a non-empty ACL user name, or no value");
    checks.require(username == null || password != null, "password", null,
        "a password when redis.username is set");
    checks.require(tlsCaFile == null || !tlsCaFile.isBlank(), "tls_ca_file", tlsCaFile,
        "the path of a PEM file, or no value");
    checks.require(clientName == null || clientName.matches("[!-~]{1,64}"), "client_name", clientName,
        "1-64 printable characters without spaces");
    checks.requireMillisTo(connectTimeout, MAX_TIMEOUT, "connect_timeout", "a duration from 1ms to 1m");
    checks.requireMillisTo(commandTimeout, MAX_TIMEOUT, "command_timeout", "a duration from 1ms to 1m");
    checks.require(requestQueueSize > 0, "request_queue_size", requestQueueSize, "a positive whole number");
    checks.requireMillisTo(reconnectDelayMax, MAX_TIMEOUT, "reconnect_delay_max", "a duration from 1ms to 1m");
    checks.require(keyPrefix == null || keyPrefix.chars().noneMatch(c -> c < 0x21 || c > 0x7e),
        "key_prefix", keyPrefix, "printable characters without spaces (may be empty)");
    checks.require(maxValueBytes > 0 && maxValueBytes <= 512 * 1024 * 1024, "max_value_bytes",
        maxValueBytes, "1 to 536870912 (512 MiB, the Redis limit)");
    checks.require(invalidationChannel == null || invalidationChannel.matches("[!-~]{1,256}"),
        "invalidation_channel", invalidationChannel, "1-256 printable characters without spaces");
    checks.require(coherence != null, "coherence", null, "one of pubsub, tracking");
    checks.require(invalidationStreamLength >= 0 && invalidationStreamLength <= 10_000_000,
        "invalidation_stream_length", invalidationStreamLength, "0 to 10000000");
    checks.requireMillisTo(coherenceTimeout, MAX_TIMEOUT, "coherence_timeout", "a duration from 1ms to 1m");
    checks.throwIfAny();
  }

  /** The {@code redis} section: its name, this record and {@link #DEFAULTS}. */
  public static final ConfigSection<RedisConfig> SECTION = new ConfigSection<>("redis", RedisConfig.class, DEFAULTS);

  /** {@code address} with anything between the scheme and {@code @} replaced by {@value Secret#MASK}. */
  static String maskCredentials(String address) {
    return CREDENTIALS.matcher(address).replaceFirst("$1" + Secret.MASK + "@");
  }

  /** Whether TLS is on, by {@code tls} or by a {@code rediss://} address. */
  public boolean tlsEnabled() {
    return tls || addresses.stream().anyMatch(a -> a.toLowerCase(Locale.ROOT).startsWith("rediss://"));
  }

  /** The host of {@code addresses[i]}. */
  String host(int i) {
    String h = address(addresses.get(i))[0];
    return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
  }

  /** The port of {@code addresses[i]}. */
  int port(int i) {
    return Integer.parseInt(address(addresses.get(i))[1]);
  }

  /** {host, port} or {@code null} when malformed. */
  private static String[] address(String a) {
    var m = HOST_PORT.matcher(a.trim());
    if (!m.matches()) {
      return null;
    }
    int port = Integer.parseInt(m.group(3));
    return port < 1 || port > 65535 ? null : new String[] {m.group(2), m.group(3)};
  }


  /** Like the generated one, with {@code username} and {@code password} redacted. */
  @Override
  public String toString() {
    return "RedisConfig[mode=" + mode.name().toLowerCase(Locale.ROOT) + ", addresses=" + addresses
        + ", database=" + database + ", masterName=" + masterName + ", maxRedirects=" + maxRedirects
        + ", topologyRefreshPeriod=" + topologyRefreshPeriod + ", username=" + redact(username)
        + ", password=" + password + ", tls=" + tls + ", tlsVerifyPeer=" + tlsVerifyPeer
        + ", tlsCaFile=" + tlsCaFile + ", clientName=" + clientName + ", connectTimeout=" + connectTimeout
        + ", commandTimeout=" + commandTimeout + ", requestQueueSize=" + requestQueueSize
        + ", reconnectDelayMax=" + reconnectDelayMax + ", keyPrefix=" + keyPrefix + ", maxValueBytes="
        + maxValueBytes + ", invalidationChannel=" + invalidationChannel + ", coherence="
        + coherence.name().toLowerCase(Locale.ROOT) + ", invalidationStreamLength=" + invalidationStreamLength
        + ", coherenceTimeout=" + coherenceTimeout + "]";
  }

  private static String redact(String secret) {
    return secret == null ? null : "****";
  }
}
