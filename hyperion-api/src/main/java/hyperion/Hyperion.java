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
   * starts every component. Configuration errors surface as one {@link ConfigException} listing
   * every problem of every section (the core's and those the modules declare). This is the way to
   * use the adapters outside {@link #run}: their connections and servers open when the lifecycle
   * starts, which a bare {@code Guice.createInjector} does not do. Close the result to stop.
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
   * The whole main: loads the config ({@code --config <file>} in {@code args}, else the file named
   * by {@code HYPERION_CONFIG}, else {@code ./application.yaml} if it exists, else the defaults; a
   * file named by {@code --config} or {@code HYPERION_CONFIG} that does not exist is a start-up
   * error), starts, installs SIGTERM/SIGINT handling, blocks until stopped, then exits the JVM: 0
   * after a clean stop, {@value #EXIT_UNCLEAN_STOP} when a component failed to stop in time, {@value
   * #EXIT_START_FAILED} when start-up failed (every configuration problem is printed to stderr, one
   * line each, before it exits).
   */
  public static void run(String[] args, Module... modules) {
    Map<String, String> env = System.getenv();
    runAll(List.of(() -> start(loadConfig(args, env), modules)));
  }

  /** The configuration {@link #run} uses for {@code args} and {@code env}. */
  static Config loadConfig(String[] args, Map<String, String> env) {
    Path named = configPath(args, env);
    return named != null ? Config.load(named, env) : Config.loadIfPresent(Path.of("application.yaml"), env);
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
    } catch (ConfigException e) {
      // Configuration problems are the user's to fix, not a bug: one line each, no stack trace.
      System.err.println("hyperion: start-up failed: " + e.getMessage());
      LOG.log(Level.ERROR, "start-up failed: " + e.getMessage());
      stopAll(started);
      stopped.countDown();
      System.exit(EXIT_START_FAILED);
      return;
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

  /** The config file {@code args} or {@code env} name explicitly, or {@code null}. */
  static Path configPath(String[] args, Map<String, String> env) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config")) {
        if (i + 1 >= args.length || args[i + 1].isBlank()) {
          throw new ConfigException("--config", null, "the path of a YAML file after --config");
        }
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--config=")) {
        String path = args[i].substring("--config=".length());
        if (path.isBlank()) {
          throw new ConfigException("--config", "", "the path of a YAML file, e.g. --config=application.yaml");
        }
        return Path.of(path);
      }
    }
    return Config.namedPath(env);
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

  /**
   * The {@link ConfigException} behind a Guice error, if there is one: the one with the most
   * problems (the check of all sections), so the report is complete.
   */
  private static RuntimeException unwrap(java.util.Collection<Message> messages, RuntimeException e) {
    ConfigException best = null;
    for (Message m : messages) {
      Throwable cause = m.getCause();
      while (cause != null) {
        if (cause instanceof ConfigException ce) {
          if (best == null || ce.problems().size() > best.problems().size()) {
            best = ce;
          }
          break;
        }
        cause = cause.getCause();
      }
    }
    return best != null ? best : e;
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
