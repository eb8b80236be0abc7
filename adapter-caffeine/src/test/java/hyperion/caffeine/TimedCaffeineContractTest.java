package hyperion.caffeine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import hyperion.Cache;
import hyperion.Context;
import hyperion.HyperionModule;
import hyperion.config.Config;
import hyperion.testkit.CacheContract;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contract kit over caches whose L1 holds values with their refresh and expiry times
 * ({@code refresh_after} and {@code stale_if_error} on every cache): the hit path that checks the
 * type from the time-stamped entry must answer exactly as the plain one.
 */
class TimedCaffeineContractTest extends CacheContract {
  private final Injector injector = TieredCaffeineContractTest.injector(new HyperionModule(Config.fromYaml("""
      cache:
        default:
          refresh_after: 10m
          stale_if_error: 1m
        timedl1:
          layers: l1
          refresh_after: 10m
          stale_if_error: 1m
      """)));

  @Override
  protected Cache newCache(String name) {
    return injector.getInstance(Context.class).cache(name);
  }

  @Test
  void anL1HitIsReadAsItsClassOrASupertypeAndMissesAsAnotherType() {
    // L1 only: no L2 copy can answer for a hit the L1 path missed.
    Cache cache = injector.getInstance(Context.class).cache("timedl1");
    List<String> value = new java.util.ArrayList<>(List.of("a", "b"));
    cache.put("list", value);
    assertThat(cache.getIfPresent("list", java.util.ArrayList.class)).isEqualTo(value);
    assertThat(cache.getIfPresent("list", List.class)).isEqualTo(value);
    assertThat(cache.getIfPresent("list", Object.class)).isEqualTo(value);
    assertThat(cache.getOrLoad("list", java.util.Collection.class, null, k -> List.of("loaded"))).isEqualTo(value);
    assertThat(cache.getIfPresent("list", String.class)).isNull();
    assertThat(cache.getOrLoad("list", String.class, null, k -> "loaded")).isEqualTo("loaded");
  }
}
