package hyperion.caffeine;

import hyperion.cache.LocalLayer;
import hyperion.testkit.LocalLayerContract;
import java.time.Duration;
import org.junit.jupiter.api.Nested;

/** The local-layer kit over the Caffeine layer, without and with idle expiry (whose values it wraps). */
class CaffeineLayerContractTest extends LocalLayerContract {

  @Override
  protected LocalLayer newLayer(LocalLayer.Hits hits) {
    return newLayer(hits, null);
  }

  @Override
  protected LocalLayer newLayer(LocalLayer.Hits hits, LocalLayer.Timing timing) {
    return new CaffeineLayer(CaffeineLayerTest.spec(10_000, 0, Duration.ZERO), ticker::read,
        EstimatingWeigher.INSTANCE, Runnable::run, cause -> { }, hits, timing);
  }

  @Nested
  class WithIdleExpiry extends LocalLayerContract {
    @Override
    protected LocalLayer newLayer(LocalLayer.Hits hits) {
      return newLayer(hits, null);
    }

    @Override
    protected LocalLayer newLayer(LocalLayer.Hits hits, LocalLayer.Timing timing) {
      return new CaffeineLayer(CaffeineLayerTest.spec(10_000, 0, Duration.ofMinutes(1)), ticker::read,
          EstimatingWeigher.INSTANCE, Runnable::run, cause -> { }, hits, timing);
    }
  }
}
