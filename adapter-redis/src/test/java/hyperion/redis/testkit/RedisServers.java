package hyperion.redis.testkit;

import hyperion.testkit.LoopbackPorts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs real {@code redis-server} processes on free loopback ports, each in
 * its own temporary directory: a standalone server, a Sentinel set (1 master, 1 replica, 3
 * Sentinels) or a Cluster (3 masters, 3 replicas). Register it on a static field, so a topology is
 * started once per test class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisServers redis = RedisServers.cluster();
 * }</pre>
 *
 * <p>Processes are stopped after the class, and on JVM exit if the class never finished. Nodes can
 * be killed (SIGKILL) and restarted mid-test through {@link #nodes()}. Outside JUnit, call {@link
 * #start()} and {@link #close()}.
 */
public final class RedisServers implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

  /** How the servers are arranged. */
  public enum Topology {
    /** One server. */
    STANDALONE,
    /** One master, one replica, three Sentinels monitoring {@link #MASTER_NAME}. */
    SENTINEL,
    /** Three masters with one replica each, all 16384 slots assigned. */
    CLUSTER
  }

  /** The Sentinel master set name. */
  public static final String MASTER_NAME = "mymaster";

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
        "redis-servers-cleanup"));
  }

  private final Topology topology;
  private final List<String> extraConfig = new ArrayList<>();
  private String user;
  private String password;
  private boolean tls;
  private Path root;
  private int depth;
  private Path caFile;
  private SSLContext sslContext;
  private final List<RedisNode> nodes = new ArrayList<>();
  private final List<RedisNode> sentinels = new ArrayList<>();

  private RedisServers(Topology topology) {
    this.topology = topology;
  }

  /** One standalone server. */
  public static RedisServers standalone() {
    return new RedisServers(Topology.STANDALONE);
  }

  /** One master, one replica and three Sentinels. */
  public static RedisServers sentinel() {
    return new RedisServers(Topology.SENTINEL);
  }

  /** A six-node Cluster: three masters, three replicas. */
  public static RedisServers cluster() {
    return new RedisServers(Topology.CLUSTER);
  }

  /** Adds {@code redis.conf} lines to every data node (not to Sentinels). */
  public RedisServers withConfig(String... lines) {
    extraConfig.addAll(List.of(lines));
    return this;
  }

  /** Requires {@code password} for the {@code default} user ({@code requirepass}, plus {@code masterauth}). */
  public RedisServers withPassword(String password) {
    this.password = password;
    return this;
  }

  /**
   * Creates ACL user {@code user} with {@code password} and all permissions, and disables the
   * {@code default} user. Standalone only.
   */
  public RedisServers withAclUser(String user, String password) {
    this.user = user;
    this.password = password;
    return this;
  }

  /**
   * Serves TLS only (no plain port), with a throw-away CA and a certificate for {@code 127.0.0.1}
   * made with {@code openssl}. Standalone only. See {@link #caFile()}.
   */
  public RedisServers withTls() {
    this.tls = true;
    return this;
  }

  /** Whether this machine's {@code redis-server} was built with TLS and {@code openssl} is available. */
  public static boolean tlsAvailable() {
    try {
      Process p = new ProcessBuilder("redis-server", "--port", "0", "--tls-port", "0").redirectErrorStream(true)
          .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      Process o = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
      o.getInputStream().readAllBytes();
      return !out.contains("not built with TLS") && !out.contains("Bad directive") && o.waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** The topology. */
  public Topology topology() {
    return topology;
  }

  /** The data nodes: the server; or the initial master then the replica; or the six cluster nodes. */
  public List<RedisNode> nodes() {
    return List.copyOf(nodes);
  }

  /** The Sentinels (empty unless {@link Topology#SENTINEL}). */
  public List<RedisNode> sentinels() {
    return List.copyOf(sentinels);
  }

  /** The PEM file of the CA that signed the server certificate ({@link #withTls()}), else {@code null}. */
  public Path caFile() {
    return caFile;
  }

  /**
   * The addresses a client configures: the server, the Sentinels, or every cluster node, as
   * {@code 127.0.0.1:<port>}.
   */
  public List<String> addresses() {
    List<RedisNode> list = topology == Topology.SENTINEL ? sentinels : nodes;
    return list.stream().map(RedisNode::address).toList();
  }

  /** A YAML {@code redis:} section that points a {@code RedisModule} at these servers. */
  public String redisYaml() {
    StringBuilder sb = new StringBuilder("redis:\n  mode: ").append(topology.name().toLowerCase()).append('\n');
    sb.append("  addresses: [").append(String.join(", ", addresses())).append("]\n");
    if (topology == Topology.SENTINEL) {
      sb.append("  master_name: ").append(MASTER_NAME).append('\n');
    }
    if (user != null) {
      sb.append("  username: ").append(user).append('\n');
    }
    if (password != null) {
      sb.append("  password: '").append(password).append("'\n");
    }
    if (tls) {
      sb.append("  tls: true\n  tls_ca_file: ").append(caFile).append('\n');
    }
    return sb.toString();
  }

  /** The current master according to the first live Sentinel ({@link Topology#SENTINEL} only). */
  public RedisNode sentinelMaster() {
    for (RedisNode s : sentinels) {
      if (!s.isAlive()) {
        continue;
      }
      @SuppressWarnings("unchecked")
      List<Object> addr = (List<Object>) s.call("SENTINEL", "get-master-addr-by-name", MASTER_NAME);
      int port = Integer.parseInt(new String((byte[]) addr.get(1), StandardCharsets.UTF_8));
      return nodes.stream().filter(n -> n.port() == port).findFirst().orElseThrow();
    }
    throw new IllegalStateException("no live sentinel");
  }

  /** The cluster node currently serving {@code key}'s slot as master, asked of a live node. */
  public RedisNode clusterMasterFor(String key) {
    RedisNode any = nodes.stream().filter(RedisNode::isAlive).findFirst().orElseThrow();
    long slot = (Long) any.call("CLUSTER", "KEYSLOT", key);
    @SuppressWarnings("unchecked")
    List<Object> ranges = (List<Object>) any.call("CLUSTER", "SLOTS");
    for (Object r : ranges) {
      List<?> range = (List<?>) r;
      if ((Long) range.get(0) <= slot && slot <= (Long) range.get(1)) {
        long port = (Long) ((List<?>) range.get(2)).get(1);
        return nodes.stream().filter(n -> n.port() == port).findFirst().orElseThrow();
      }
    }
    throw new IllegalStateException("slot " + slot + " is not served");
  }

  /** Waits until every live cluster node reports {@code cluster_state:ok}. */
  public void awaitClusterOk(Duration timeout) {
    RedisNode.await("cluster_state:ok on every live node", timeout, () -> nodes.stream().filter(RedisNode::isAlive)
        .allMatch(n -> "ok".equals(n.callString("CLUSTER", "INFO").lines()
            .filter(l -> l.startsWith("cluster_state:")).map(l -> l.substring(14).trim()).findFirst().orElse(""))));
  }

  /**
   * Starts the servers before the class. {@code @Nested} classes inherit the extension and call
   * this again; only the outermost class starts and stops the servers.
   */
  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (depth++ == 0) {
      start();
    }
  }

  /** Stops the servers after the outermost class. */
  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (--depth == 0) {
      close();
    }
  }

  /** Starts the topology and waits until it is usable. */
  public synchronized void start() {
    if (root != null) {
      return;
    }
    try {
      root = Files.createTempDirectory("hyperion-redis-");
      if (tls) {
        makeCertificates();
      }
      switch (topology) {
        case STANDALONE -> nodes.add(dataNode("master", null, List.of()));
        case SENTINEL -> startSentinel();
        case CLUSTER -> startCluster();
      }
    } catch (IOException e) {
      close();
      throw new IllegalStateException(e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Kills every process and deletes the directories. */
  @Override
  public synchronized void close() {
    Stream.concat(sentinels.stream(), nodes.stream()).forEach(RedisNode::kill);
    sentinels.clear();
    nodes.clear();
    if (root != null) {
      try (Stream<Path> files = Files.walk(root)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // temp files; the OS cleans up
      }
      root = null;
    }
  }

  static void track(Process p) {
    LIVE.add(p);
    p.onExit().thenRun(() -> LIVE.remove(p));
  }

  private void startSentinel() throws IOException {
    RedisNode master = dataNode("master", null, List.of());
    nodes.add(master);
    RedisNode replica = dataNode("replica", null, List.of("replicaof 127.0.0.1 " + master.port()));
    nodes.add(replica);
    RedisNode.await("replica link up", Duration.ofSeconds(20),
        () -> "up".equals(replica.info("replication", "master_link_status")));
    for (int i = 0; i < 3; i++) {
      int port = LoopbackPorts.free();
      Path dir = Files.createDirectories(root.resolve("sentinel-" + port));
      List<String> conf = new ArrayList<>(common(port, dir));
      conf.add("sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2");
      conf.add("sentinel down-after-milliseconds " + MASTER_NAME + " 1000");
      conf.add("sentinel failover-timeout " + MASTER_NAME + " 4000");
      conf.add("sentinel parallel-syncs " + MASTER_NAME + " 1");
      if (password != null) {
        conf.add("sentinel auth-pass " + MASTER_NAME + " " + password);
      }
      Path file = dir.resolve("sentinel.conf");
      Files.write(file, conf);
      RedisNode s = new RedisNode("sentinel", dir, port, List.of("redis-server", file.toString(), "--sentinel"),
          null, null, null);
      s.start();
      sentinels.add(s);
    }
    // Every Sentinel must know the replica and its two peers before a failover can be elected.
    RedisNode.await("sentinels to discover each other and the replica", Duration.ofSeconds(30),
        () -> sentinels.stream().allMatch(s -> ((List<?>) s.call("SENTINEL", "SENTINELS", MASTER_NAME)).size() == 2
            && ((List<?>) s.call("SENTINEL", "REPLICAS", MASTER_NAME)).size() == 1));
  }

  private void startCluster() throws IOException {
    for (int i = 0; i < 6; i++) {
      int bus = LoopbackPorts.free();
      nodes.add(dataNode("node", null, List.of("cluster-enabled yes", "cluster-config-file nodes.conf",
          "cluster-node-timeout 1000", "cluster-port " + bus, "cluster-require-full-coverage no",
          "cluster-replica-validity-factor 0", "cluster-allow-replica-migration no")));
    }
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    nodes.forEach(n -> cmd.add(n.address()));
    cmd.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    if (password != null) {
      cmd.addAll(List.of("-a", password, "--no-auth-warning"));
    }
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      track(p);
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("redis-cli --cluster create failed:\n" + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    awaitClusterOk(Duration.ofSeconds(30));
    // Replicas must be attached and in sync, or a killed master cannot fail over.
    RedisNode.await("replicas in sync", Duration.ofSeconds(30), () -> nodes.stream()
        .filter(n -> "slave".equals(n.info("replication", "role")))
        .filter(n -> "up".equals(n.info("replication", "master_link_status"))).count() == 3);
  }

  private RedisNode dataNode(String role, Path ignored, List<String> extra) throws IOException {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = LoopbackPorts.free();
      Path dir = Files.createDirectories(root.resolve(role + "-" + port));
      List<String> conf = new ArrayList<>(common(port, dir));
      conf.add("save \"\"");
      conf.add("appendonly no");
      if (tls) {
        conf.set(0, "port 0");
        conf.add("tls-port " + port);
        conf.add("tls-cert-file " + root.resolve("tls/server.crt"));
        conf.add("tls-key-file " + root.resolve("tls/server.key"));
        conf.add("tls-ca-cert-file " + caFile);
        conf.add("tls-auth-clients no");
      }
      if (user != null) {
        conf.add("user default off");
        conf.add("user " + user + " on >" + password + " ~* &* +@all");
      } else if (password != null) {
        conf.add("requirepass " + password);
        conf.add("masterauth " + password);
      }
      conf.addAll(extra);
      conf.addAll(extraConfig);
      Path file = dir.resolve("redis.conf");
      Files.write(file, conf);
      RedisNode node = new RedisNode(role, dir, port, List.of("redis-server", file.toString()), user, password,
          sslContext);
      try {
        node.start();
        return node;
      } catch (IllegalStateException e) {
        node.kill();
        last = e; // most likely the port was taken in between; try another
      }
    }
    throw last;
  }

  private static List<String> common(int port, Path dir) {
    return List.of("port " + port, "bind 127.0.0.1", "protected-mode no", "daemonize no", "dir " + dir,
        "logfile " + dir.resolve("redis.log"), "loglevel notice");
  }

  private void makeCertificates() throws IOException {
    Path dir = Files.createDirectories(root.resolve("tls"));
    caFile = dir.resolve("ca.crt");
    run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=hyperion-test-ca",
        "-keyout", "ca.key", "-out", "ca.crt");
    run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key",
        "-out", "server.csr");
    Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", "ext.cnf", "-out", "server.crt");
    try (InputStream in = Files.newInputStream(caFile)) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      sslContext = SSLContext.getInstance("TLS");
      sslContext.init(null, tmf.getTrustManagers(), null);
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  private static void run(Path dir, String... cmd) throws IOException {
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  @Override
  public String toString() {
    return "RedisServers[" + topology + " " + new HashSet<>(addresses()) + "]";
  }
}
