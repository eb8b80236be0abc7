package hyperion;

import hyperion.cache.LocalLayer;
import hyperion.config.CacheSpec;
import hyperion.testkit.InMemoryLocalLayer;
import hyperion.testkit.LocalLayerContract;

/** The local-layer kit over the test kit's in-memory layer, which the tier's own tests run on. */
class InMemoryLocalLayerContractTest extends LocalLayerContract {
  @Override
  protected LocalLayer newLayer(LocalLayer.Hits hits) {
    return new InMemoryLocalLayer.Factory(ticker).create("contract", CacheSpec.DEFAULTS, cause -> { }, hits, null);
  }
}
