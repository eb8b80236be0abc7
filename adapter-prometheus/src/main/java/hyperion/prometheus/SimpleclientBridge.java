package hyperion.prometheus;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.simpleclient.bridge.SimpleclientCollector;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Exports the legacy simpleclient {@code CollectorRegistry.defaultRegistry} through the registry,
 * when the application has simpleclient on its classpath. Kept in its own class so that nothing
 * else links against simpleclient types.
 */
final class SimpleclientBridge {

  private static final Logger LOG = System.getLogger(SimpleclientBridge.class.getName());
  private static final String LEGACY_REGISTRY = "io.prometheus.client.CollectorRegistry";

  private SimpleclientBridge() {}

  /** Registers the bridge collector; returns whether simpleclient was present. */
  static boolean registerIfPresent(PrometheusRegistry registry) {
    try {
      Class.forName(LEGACY_REGISTRY, false, SimpleclientBridge.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return false; // no simpleclient: nothing to bridge
    }
    SimpleclientCollector.builder().register(registry); // reads CollectorRegistry.defaultRegistry
    LOG.log(Level.DEBUG, "exporting simpleclient's CollectorRegistry.defaultRegistry");
    return true;
  }
}
