package hyperion.otel;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shared helpers: the hot path never throws, so unexpected failures are logged once per kind. */
final class Tracing {
  static final Logger LOG = LoggerFactory.getLogger("hyperion.otel");
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private Tracing() {}

  static void warnOnce(String what, Throwable e) {
    if (WARNED.add(what)) {
      LOG.warn("tracing: {} failed; further failures of this kind are not logged", what, e);
    }
  }
}
