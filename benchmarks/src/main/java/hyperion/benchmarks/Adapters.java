package hyperion.benchmarks;

import com.google.inject.Module;
import java.util.Optional;

/**
 * Finds adapter modules by class name, so every suite compiles whichever adapter branches are
 * merged; a suite whose adapter is missing is skipped by the runner and reported as not run.
 */
public final class Adapters {
  /** The Caffeine (L1) adapter module. */
  public static final String CAFFEINE = "hyperion.caffeine.CaffeineModule";
  /** The Redis (L2) adapter module. */
  public static final String REDIS = "hyperion.redis.RedisModule";
  /** The OpenTelemetry adapter module. */
  public static final String OTEL = "hyperion.otel.OtelModule";
  /** The Prometheus adapter module. */
  public static final String PROMETHEUS = "hyperion.prometheus.PrometheusModule";

  private Adapters() {}

  /** Whether the adapter's module class is on the class path. */
  public static boolean present(String className) {
    return find(className).isPresent();
  }

  /** A new instance of the module, or empty when its adapter is not built yet. */
  public static Optional<Module> find(String className) {
    try {
      Class<?> c = Class.forName(className);
      return Optional.of((Module) c.getConstructor().newInstance());
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      return Optional.empty();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + className, e);
    }
  }

  /** A new instance of the module; fails with a clear message when the adapter is missing. */
  public static Module require(String className) {
    return find(className).orElseThrow(() -> new IllegalStateException(
        className + " is not on the class path: merge its adapter branch to run this suite"));
  }
}
