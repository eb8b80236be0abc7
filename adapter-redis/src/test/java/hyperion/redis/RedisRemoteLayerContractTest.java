package hyperion.redis;

import hyperion.Hyperion;
import hyperion.cache.RemoteLayer;
import hyperion.redis.testkit.RedisNode;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.RemoteLayerContract;
import hyperion.testkit.TcpProxy;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Redis layer honours the remote-layer kit, against a real redis-server behind a loopback
 * proxy that delays, blackholes, resets and drops its connections.
 */
class RedisRemoteLayerContractTest extends RemoteLayerContract {
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();
  static final Duration COMMAND_TIMEOUT = Duration.ofMillis(300);
  static TcpProxy proxy;
  static Hyperion app;

  @BeforeAll
  static void start() throws Exception {
    proxy = TcpProxy.to("127.0.0.1", redis.nodes().get(0).port());
    String yaml = RedisTesting.yaml(redis, "command_timeout: " + COMMAND_TIMEOUT.toMillis() + "ms",
        "max_value_bytes: 1000").replace(redis.nodes().get(0).address(), "127.0.0.1:" + proxy.port());
    app = RedisTesting.start(yaml, null);
  }

  /**
   * After a test that broke the connections, the bus replays on the command connection once its
   * subscription is back; let it finish, so its commands do not queue ahead of a delayed test's.
   */
  @BeforeEach
  void busCaughtUp() {
    RedisNode.await("the invalidation bus to catch up", Duration.ofSeconds(10),
        () -> app.injector().getInstance(CoherenceMetrics.class).isUp());
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    proxy.close();
  }

  @Override
  protected RemoteLayer.Factory factory() {
    return app.injector().getInstance(RedisLayers.class);
  }

  @Override
  protected Faults faults() {
    return new Faults() {
      @Override public void delay(Duration d) { proxy.delay(d); }
      @Override public void blackhole() { proxy.blackhole(); }
      @Override public void reset() { proxy.reset(); }
      @Override public void drop() throws Exception { proxy.drop(); }
      @Override public void heal() throws Exception { proxy.heal(); }
    };
  }

  @Override
  protected Duration failureBound() {
    // Lettuce's command timeout; commands are rejected at once while disconnected.
    return COMMAND_TIMEOUT.plusMillis(500);
  }

  @Override
  protected Optional<Object> tooLargeValue() {
    return Optional.of("x".repeat(2_000));
  }
}
