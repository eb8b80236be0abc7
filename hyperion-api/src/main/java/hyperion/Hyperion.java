package hyperion;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.spi.Message;
import hyperion.config.Config;
import hyperion.config.ConfigException;
import hyperion.lifecycle.Lifecycle;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * A running Hyperion application: its injector and lifecycle. The one call a service's {@code
 * main} needs is {@link #run(String[], Module...)}:
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *   Hyperion.run(args, new OtelModule(), new CaffeineModule(), new PrometheusModule(), new UsersModule());
 * }
 * }</pre>
 *
 * <p>It loads the configuration, builds the injector (in {@link Stage#PRODUCTION}, so singletons
 * and their configuration are validated eagerly), starts the components, stops them on SIGTERM or
 * SIGINT within {@code service.shutdown_timeout}, and exits 0 after a clean stop.
 */
public final class Hyperion implements AutoCloseable {

  private static final Logger LOG = System.getLogger(Hyperion.class.getName());

  /** Exit status when start-up fails (bad configuration, a component that cannot start). */
  public static final int EXIT_START_FAILED = 2;
  /** Exit status when a component failed or overran its share of the deadline while stopping. */
  public static final int EXIT_UNCLEAN_STOP = 1;

  private final Injector injector;
  private final Lifecycle lifecycle;
  private final Duration deadline;

  private Hyperion(Injector injector) {
    this.injector = injector;
    this.lifecycle = injector.getInstance(Lifecycle.class);
    this.deadline = injector.getInstance(Config.class).service().shutdownTimeout();
  }

  /**
   * Builds the injector from {@link HyperionModule} with {@code config} plus {@code modules}, and
   * starts every component. Configuration errors surface as {@link ConfigException}.
   */
  public static Hyperion start(Config config, Module... modules) {
    Hyperion app = create(config, modules);
    app.lifecycle.start(app.deadline);
    return app;
  }

  private static Hyperion create(Config config, Module... modules) {
    List<Module> all = new ArrayList<>();
    all.add(new HyperionModule(config));
    all.addAll(List.of(modules));
    Injector injector;
    try {
      injector = Guice.createInjector(Stage.PRODUCTION, all);
    } catch (CreationException e) {
      throw unwrap(e.getErrorMessages(), e);
    } catch (ProvisionException e) {
      throw unwrap(e.getErrorMessages(), e);
    }
    return new Hyperion(injector);
  }

  /**
   * The whole main: loads the config ({@code --config <file>} in {@code args}, else {@code
   * HYPERION_CONFIG}, else {@code ./application.yaml}), starts, installs SIGTERM/SIGINT handling,
   * blocks until stopped, then exits the JVM: 0 after a clean stop, {@value #EXIT_UNCLEAN_STOP}
   * when a component failed to stop in time, {@value #EXIT_START_FAILED} when start-up failed.
   */
  public static void run(String[] args, Module... modules) {
    Map<String, String> env = System.getenv();
    runAll(List.of(() -> start(Config.load(configPath(args, env), env), modules)));
  }

  /**
   * The main of several applications in one JVM (each its own injector, configuration and
   * lifecycle, e.g. a demo's services): starts them in list order, each through its {@link
   * Callable} (typically {@code () -> Hyperion.start(config, modules)}), then blocks until one
   * SIGTERM or SIGINT, stops them in reverse order, each within its own {@code
   * service.shutdown_timeout}, and exits like {@link #run}. If one fails to start, the ones started
   * are stopped and the JVM exits {@value #EXIT_START_FAILED}; a signal during start-up stops
   * everything once the application being started is up.
   */
  public static void runAll(List<? extends Callable<Hyperion>> applications) {
    CountDownLatch signalled = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    // First, so a signal during start-up is not lost. The signal's thread waits for the stop, so a
    // shutdown hook (the fallback where signals are reserved) does not let the JVM halt mid-stop.
    onSignal(() -> {
      signalled.countDown();
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    List<Hyperion> started = new ArrayList<>();
    try {
      for (Callable<Hyperion> application : applications) {
        started.add(application.call());
        if (signalled.getCount() == 0) {
          break;
        }
      }
    } catch (Exception e) {
      System.err.println("hyperion: start-up failed: " + e.getMessage());
      LOG.log(Level.ERROR, "start-up failed", e);
      stopAll(started);
      stopped.countDown();
      System.exit(EXIT_START_FAILED);
      return;
    }
    LOG.log(Level.INFO, "started " + started.size() + " application(s); send SIGTERM or SIGINT to stop");
    try {
      signalled.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    boolean clean = stopAll(started);
    LOG.log(clean ? Level.INFO : Level.WARNING, clean ? "stopped cleanly" : "stopped with errors");
    stopped.countDown();
    System.exit(clean ? 0 : EXIT_UNCLEAN_STOP);
  }

  /** Stops {@code apps} in reverse order; whether every stop was clean. */
  private static boolean stopAll(List<Hyperion> apps) {
    boolean clean = true;
    for (int i = apps.size() - 1; i >= 0; i--) {
      clean &= apps.get(i).stop();
    }
    return clean;
  }

  static Path configPath(String[] args, Map<String, String> env) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--config=")) {
        return Path.of(args[i].substring("--config=".length()));
      }
    }
    return Config.defaultPath(env);
  }

  /** Runs {@code action} on SIGTERM/SIGINT, on a thread of its own: the signal thread never blocks. */
  private static void onSignal(Runnable action) {
    for (String signal : List.of("TERM", "INT")) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
          Thread t = new Thread(action, "hyperion-shutdown");
          t.setDaemon(false);
          t.start();
        });
      } catch (IllegalArgumentException e) {
        // The JVM reserves this signal (e.g. -Xrs); fall back to a shutdown hook.
        Runtime.getRuntime().addShutdownHook(new Thread(action, "hyperion-shutdown-hook"));
      }
    }
  }

  private static RuntimeException unwrap(java.util.Collection<Message> messages, RuntimeException e) {
    for (Message m : messages) {
      Throwable cause = m.getCause();
      while (cause != null) {
        if (cause instanceof ConfigException ce) {
          return ce;
        }
        cause = cause.getCause();
      }
    }
    return e;
  }

  /** The injector, for looking up bindings. */
  public Injector injector() {
    return injector;
  }

  /** The application's {@link Context}. */
  public Context context() {
    return injector.getInstance(Context.class);
  }

  /** Stops every component in reverse order within {@code service.shutdown_timeout}; idempotent. */
  public boolean stop() {
    return lifecycle.stop(deadline);
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }
}
