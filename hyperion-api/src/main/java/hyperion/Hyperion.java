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
    Hyperion app;
    try {
      Map<String, String> env = System.getenv();
      app = create(Config.load(configPath(args, env), env), modules);
      // Handlers first: a signal that arrives while components start stops them once started.
      app.installSignalHandlers();
      app.lifecycle.start(app.deadline);
    } catch (RuntimeException e) {
      System.err.println("hyperion: start-up failed: " + e.getMessage());
      LOG.log(Level.ERROR, "start-up failed", e);
      System.exit(EXIT_START_FAILED);
      return;
    }
    LOG.log(Level.INFO, "started; send SIGTERM or SIGINT to stop");
    try {
      app.lifecycle.awaitStopped();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.exit(app.stop() ? 0 : EXIT_UNCLEAN_STOP);
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

  /** Stops on SIGTERM/SIGINT. The signal thread only starts the stop, it never blocks. */
  private void installSignalHandlers() {
    for (String signal : List.of("TERM", "INT")) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
          Thread t = new Thread(this::stop, "hyperion-shutdown");
          t.setDaemon(false);
          t.start();
        });
      } catch (IllegalArgumentException e) {
        // The JVM reserves this signal (e.g. -Xrs); fall back to a shutdown hook.
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "hyperion-shutdown-hook"));
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
