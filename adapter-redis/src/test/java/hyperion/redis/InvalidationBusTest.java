package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Hyperion;
import hyperion.cache.InvalidationBus;
import hyperion.redis.testkit.RedisServers;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two instances (two injectors) of one service share a channel; each ignores its own messages. */
class InvalidationBusTest {
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();
  static Hyperion a;
  static Hyperion b;
  static Hyperion otherService;

  @BeforeAll
  static void start() {
    a = RedisTesting.start(redis);
    b = RedisTesting.start(redis);
    otherService = RedisTesting.start(RedisTesting.yaml(redis).replace("name: hyperion-test", "name: other"), null);
  }

  @AfterAll
  static void stop() {
    a.close();
    b.close();
    otherService.close();
  }

  static BlockingQueue<String> listen(Hyperion app) {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    app.injector().getInstance(InvalidationBus.class).subscribe(new InvalidationBus.Listener() {
      @Override public void invalidate(String cache, String key) {
        received.add(cache + "/" + key);
      }
      @Override public void reconnected() {
        received.add("reconnected");
      }
    });
    return received;
  }

  @Test
  void otherInstancesReceiveAndTheSenderIgnoresItsOwn() throws Exception {
    BlockingQueue<String> atA = listen(a);
    BlockingQueue<String> atB = listen(b);
    BlockingQueue<String> atOther = listen(otherService);
    // Subscriptions are established at start; publish until B has it (the first may race the SUBSCRIBE).
    InvalidationBus busA = a.injector().getInstance(InvalidationBus.class);
    busA.publish("users", List.of("u:1/ü \"quoted\""));
    assertThat(atB.poll(5, TimeUnit.SECONDS)).isEqualTo("users/u:1/ü \"quoted\"");
    busA.publishClear("users");
    assertThat(atB.poll(5, TimeUnit.SECONDS)).isEqualTo("users/null");
    b.injector().getInstance(InvalidationBus.class).publish("orders", List.of("o1", "o2")).toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    assertThat(atA.poll(5, TimeUnit.SECONDS)).isEqualTo("orders/o1");
    assertThat(atA.poll(5, TimeUnit.SECONDS)).isEqualTo("orders/o2");
    // The one-key format of earlier versions is still understood.
    redis.nodes().get(0).call("PUBLISH", "hyperion-test:invalidations", "{\"i\":\"old\",\"c\":\"users\",\"k\":\"u2\"}");
    assertThat(atA.poll(5, TimeUnit.SECONDS)).isEqualTo("users/u2");
    assertThat(atB.poll(5, TimeUnit.SECONDS)).isEqualTo("users/u2");
    Thread.sleep(200);
    assertThat(atA).isEmpty();
    assertThat(atB).isEmpty();
    assertThat(atOther).as("another service uses another channel").isEmpty();
    assertThat(List.of(busA.toString())).allMatch(s -> s.contains("hyperion-test:invalidations"));
  }
}
