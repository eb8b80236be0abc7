package hyperion;

import java.time.Duration;

/**
 * Something with a start and a stop: a server, a client connection, an exporter. Contribute one
 * with {@code Multibinder.newSetBinder(binder(), Component.class).addBinding().to(...)}; the {@link
 * hyperion.lifecycle.Lifecycle} starts components by ascending {@link #phase()} (ties in binding
 * order) and stops them in exactly the reverse order, each stop bounded by the shutdown deadline.
 */
public interface Component {

  /** Phase of telemetry exporters: started first, stopped (flushed) last. */
  int PHASE_TELEMETRY = -1000;
  /** Phase of clients to backing services (Redis, databases). */
  int PHASE_CLIENTS = -100;
  /** Phase of application components; the default. */
  int PHASE_APPLICATION = 0;
  /** Phase of servers that accept traffic: started last, stopped first. */
  int PHASE_SERVERS = 1000;

  /** A short name for logs; defaults to the simple class name. */
  default String name() {
    return getClass().getSimpleName();
  }

  /** The start order; lower starts earlier and stops later. Defaults to {@link #PHASE_APPLICATION}. */
  default int phase() {
    return PHASE_APPLICATION;
  }

  /** Starts the component; an exception aborts start-up and stops what had started. */
  void start() throws Exception;

  /**
   * Stops the component, releasing its threads and connections. Should finish well within the
   * shutdown deadline; one that does not is logged and abandoned.
   */
  void stop() throws Exception;

  /**
   * Stops the component within {@code budget}: its share of the shutdown deadline, the time left
   * divided by the components left to stop. The lifecycle abandons a component that takes longer
   * (and the stop is then not clean). The default calls {@link #stop()}; a component whose stop
   * waits for something (a server draining requests, an exporter flushing) bounds that wait by
   * {@code budget}.
   */
  default void stop(Duration budget) throws Exception {
    stop();
  }
}
