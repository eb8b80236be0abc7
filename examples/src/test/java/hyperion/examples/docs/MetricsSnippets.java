package hyperion.examples.docs;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Counter;
import hyperion.Hyperion;
import hyperion.Metrics;
import hyperion.config.Config;
import hyperion.otel.OtelModule;
import hyperion.prometheus.PrometheusModule;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** docs/metrics.md's snippets, compiled here and run by {@link MetricsSnippetsTest}. */
final class MetricsSnippets {
  private MetricsSnippets() {}

  static Hyperion start() {
    // docs/metrics.md:start
    Hyperion app = Hyperion.start(Config.load(), new OtelModule(), new PrometheusModule());
    // docs/metrics.md:end
    return app;
  }

  static void checkout(Metrics metrics) {
    // docs/metrics.md:start
    Counter requests = metrics.counter("shop_checkouts_total", "Checkouts completed",
        "route", "method", "status_class");
    Counter.Child ok = requests.labels("/users/{id}", "GET", "2xx"); // keep the child: cached, no allocation
    ok.inc();                                                          // never throws
    // docs/metrics.md:end
  }

  /** Puts the instruments into the client's default registry. */
  static final class DefaultRegistryModule extends AbstractModule {
    @Override
    protected void configure() {
      // docs/metrics.md:start
      OptionalBinder.newOptionalBinder(binder(), PrometheusRegistry.class)
          .setBinding().toInstance(PrometheusRegistry.defaultRegistry);
      // docs/metrics.md:end
    }
  }
}
