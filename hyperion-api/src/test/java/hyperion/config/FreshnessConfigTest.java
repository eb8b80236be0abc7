package hyperion.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The cache keys of refresh-ahead, serve-stale-on-error and distributed loads: defaults, parsing,
 * errors naming key and value.
 */
class FreshnessConfigTest {

  @Test
  void offByDefaultAndReadFromYaml() {
    CacheConfig caches = Config.fromYaml("""
        cache:
          default:
            stale_if_error: 10m
          prices:
            refresh_after: 1m
        """).cache();
    assertThat(CacheSpec.DEFAULTS.refreshAfter()).isZero();
    assertThat(CacheSpec.DEFAULTS.staleIfError()).isZero();
    assertThat(caches.spec("prices").refreshAfter()).isEqualTo(Duration.ofMinutes(1));
    assertThat(caches.spec("prices").staleIfError()).isEqualTo(Duration.ofMinutes(10));
    assertThat(caches.spec("other").refreshAfter()).isZero();
  }

  @Test
  void badValuesNameTheKeyAndTheValue() {
    assertThatThrownBy(() -> Config.fromYaml("cache:\n  prices:\n    refresh_after: soon\n").cache())
        .isInstanceOf(ConfigException.class).hasMessageContaining("cache.prices.refresh_after")
        .hasMessageContaining("soon");
    assertThatThrownBy(() -> Config.fromYaml("cache:\n  prices:\n    stale_if_error: PT-5S\n").cache())
        .isInstanceOf(ConfigException.class).hasMessageContaining("cache.prices.stale_if_error")
        .hasMessageContaining("0 (disabled) or a positive duration");
  }

  @Test
  void distributedLoadNeedsTheSharedLayer() {
    assertThat(CacheSpec.DEFAULTS.distributedLoad()).isFalse();
    assertThat(CacheSpec.DEFAULTS.leaseTime()).isEqualTo(Duration.ofSeconds(10));
    CacheSpec spec = Config.fromYaml("cache:\n  quotes:\n    distributed_load: true\n    lease_time: 3s\n").cache()
        .spec("quotes");
    assertThat(spec.distributedLoad()).isTrue();
    assertThat(spec.leaseTime()).isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> Config.fromYaml("cache:\n  quotes:\n    distributed_load: true\n    layers: l1\n").cache())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid configuration: cache.quotes.distributed_load = 'true'");
    assertThatThrownBy(() -> Config.fromYaml("cache:\n  quotes:\n    lease_time: 0s\n").cache())
        .isInstanceOf(ConfigException.class).hasMessageContaining("cache.quotes.lease_time");
  }

  @Test
  void distributedLoadWithoutAnL2AdapterFailsStartUp() {
    assertThatThrownBy(() -> hyperion.Hyperion.start(Config.fromYaml(
        "cache:\n  quotes:\n    distributed_load: true\n")).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid configuration: cache.quotes.distributed_load = 'true'")
        .hasMessageContaining("install RedisModule");
  }

  @Test
  void distributedLoadWithoutAnL2IsReportedWithEveryOtherProblemWhenTheInjectorIsBuilt() {
    Config config = Config.fromYaml("cache:\n  quotes:\n    distributed_load: true\nreddis:\n  port: 1\n");
    // One pass: both problems in the one exception, not the other first and this on the next start.
    assertThatThrownBy(() -> hyperion.Hyperion.start(config).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cache.quotes.distributed_load = 'true'")
        .hasMessageContaining("reddis = '(section)'");
    // A bare injector (development stage, lazy singletons) reports it when it is built, too.
    assertThatThrownBy(() -> com.google.inject.Guice.createInjector(new hyperion.HyperionModule(config)))
        .hasStackTraceContaining("cache.quotes.distributed_load = 'true'")
        .hasStackTraceContaining("reddis = '(section)'");
  }
}
