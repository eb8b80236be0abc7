package hyperion;

import hyperion.config.Config;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** The {@link Context} bound by {@link HyperionModule}: a view over whatever ports are bound. */
@Singleton
final class DefaultContext implements Context {
  private final Tracer tracer;
  private final Metrics metrics;
  private final CacheManager caches;
  private final Config config;

  @Inject
  DefaultContext(Tracer tracer, Metrics metrics, CacheManager caches, Config config) {
    this.tracer = tracer;
    this.metrics = metrics;
    this.caches = caches;
    this.config = config;
  }

  @Override public Tracer tracer() { return tracer; }
  @Override public Metrics metrics() { return metrics; }
  @Override public Cache cache(String name) { return caches.cache(name); }
  @Override public Config config() { return config; }

  @Override
  public String toString() {
    return "Context[tracer=" + tracer.getClass().getSimpleName() + ", metrics=" + metrics.getClass().getSimpleName()
        + ", caches=" + caches.getClass().getSimpleName() + "]";
  }
}
