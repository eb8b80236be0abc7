package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Cache;
import hyperion.CacheManager;
import hyperion.Hyperion;
import hyperion.Metrics;
import hyperion.config.Config;
import hyperion.redis.testkit.RedisServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Starts Hyperion apps with {@link RedisModule} pointed at test servers. */
final class RedisTesting {
  /** Gap allowed between killing a master and the first successful write + read after it. */
  static final Duration MAX_FAILOVER_GAP = Duration.ofSeconds(20);

  /**
   * Writes and reads {@code key} until both succeed, failing after {@link #MAX_FAILOVER_GAP}. Every call
   * returns normally while the master is gone: misses and dropped writes, never exceptions.
   */
  static Duration awaitWriteAndRead(Cache cache, String key) throws InterruptedException {
    long t0 = System.nanoTime();
    int round = 0;
    while (true) {
      String value = "v" + round++;
      cache.put(key, value);
      if (cache.get(key, String.class).equals(Optional.of(value))) {
        return Duration.ofNanos(System.nanoTime() - t0);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("failover gap").isLessThan(MAX_FAILOVER_GAP);
      Thread.sleep(50);
    }
  }

  private RedisTesting() {}

  /** The YAML for {@code servers} with extra {@code redis} keys ({@code "key: value"}) and a test service name. */
  static String yaml(RedisServers servers, String... redisKeys) {
    StringBuilder sb = new StringBuilder("service:\n  name: hyperion-test\n").append(servers.redisYaml());
    sb.append("  command_timeout: 500ms\n  connect_timeout: 1s\n  reconnect_delay_max: 500ms\n");
    sb.append("  topology_refresh_period: 1s\n");
    for (String k : redisKeys) {
      sb.append("  ").append(k).append('\n');
    }
    return sb.toString();
  }

  static Hyperion start(String yaml, Metrics metrics, Module... more) {
    List<Module> modules = new ArrayList<>();
    modules.add(new RedisModule());
    if (metrics != null) {
      modules.add(new AbstractModule() {
        @Override
        protected void configure() {
          OptionalBinder.newOptionalBinder(binder(), Metrics.class).setBinding().toInstance(metrics);
        }
      });
    }
    modules.addAll(List.of(more));
    return Hyperion.start(Config.fromYaml(yaml), modules.toArray(Module[]::new));
  }

  static Hyperion start(RedisServers servers, String... redisKeys) {
    return start(yaml(servers, redisKeys), null);
  }

  /** The app's caches: L2 only unless the app also installed an L1 adapter. */
  static CacheManager l2(Hyperion app) {
    return app.injector().getInstance(CacheManager.class);
  }

  /** Whether Redis itself (not an L1) holds a value for {@code key} of {@code cache}; false when it cannot answer. */
  static boolean inL2(Hyperion app, String cache, String key) {
    try {
      return app.injector().getInstance(RedisLayers.class).create(cache, hyperion.config.CacheSpec.DEFAULTS)
          .exists(key).toCompletableFuture().get(2, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      return false;
    }
  }

  /** The Redis key of {@code key} in cache {@code cache} for the test service name. */
  static String redisKey(String cache, String key) {
    return "hyperion-test:" + cache + ":" + key;
  }
}
