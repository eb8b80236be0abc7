package hyperion.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The cache keys of refresh-ahead and serve-stale-on-error: defaults, parsing, errors naming key and value. */
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
    assertThatThrownBy(() -> Config.fromYaml("cache:\n  prices:\n    refresh_after: soon\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cache.prices.refresh_after")
        .hasMessageContaining("soon");
    assertThatThrownBy(() -> Config.fromYaml("cache:\n  prices:\n    stale_if_error: PT-5S\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cache.prices.stale_if_error")
        .hasMessageContaining("0 (disabled) or a positive duration");
  }
}
