package hyperion.caffeine;

import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.Weigher;
import hyperion.cache.LocalLayer;
import hyperion.config.CacheSpec;
import jakarta.inject.Inject;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/** The {@link LocalLayer.Factory} that {@link CaffeineModule} binds: one {@link CaffeineLayer} per cache. */
final class CaffeineLayers implements LocalLayer.Factory {
  private final Ticker ticker;
  private final Weigher<String, Object> weigher;
  private final Executor executor;

  @Inject
  CaffeineLayers(Ticker ticker, Weigher<String, Object> weigher) {
    this(ticker, weigher, ForkJoinPool.commonPool());
  }

  /** For tests: {@code executor} runs Caffeine's maintenance ({@code Runnable::run} makes it synchronous). */
  CaffeineLayers(Ticker ticker, Weigher<String, Object> weigher, Executor executor) {
    this.ticker = ticker;
    this.weigher = weigher;
    this.executor = executor;
  }

  @Override
  public LocalLayer create(String name, CacheSpec spec, LocalLayer.Evictions evictions, LocalLayer.Hits hits,
      LocalLayer.Timing timing) {
    return new CaffeineLayer(spec, ticker, weigher, executor, evictions, hits, timing);
  }

  @Override
  public String toString() {
    return "CaffeineLayers[ticker=" + ticker + "]";
  }
}
