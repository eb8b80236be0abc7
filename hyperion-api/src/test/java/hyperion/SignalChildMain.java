package hyperion;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;

/**
 * A service main for {@link SignalShutdownTest}: three components that print when they start and
 * stop; with argument {@code hang}, the middle one never finishes stopping.
 */
public final class SignalChildMain {
  private SignalChildMain() {}

  /** Prints a line and flushes, so the parent sees it before the process ends. */
  static Component printing(String name, int phase, boolean hangOnStop) {
    return new Component() {
      @Override public String name() { return name; }
      @Override public int phase() { return phase; }
      @Override public void start() {
        say("start " + name);
      }
      @Override public void stop() throws InterruptedException {
        if (hangOnStop) {
          say("hanging " + name);
          Thread.sleep(Long.MAX_VALUE);
        }
        say("stop " + name);
      }
    };
  }

  static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /** Runs the service (with argument {@code two}: two applications) until SIGTERM or SIGINT. */
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("two")) {
      hyperion.config.Config config = hyperion.config.Config.load();
      Hyperion.runAll(java.util.List.of(() -> Hyperion.start(config, application("first")),
          () -> Hyperion.start(config, application("second"))));
      return;
    }
    boolean hang = args.length > 0 && args[0].equals("hang");
    Hyperion.run(args, new AbstractModule() {
      @Override
      protected void configure() {
        Multibinder<Component> components = Multibinder.newSetBinder(binder(), Component.class);
        components.addBinding().toInstance(printing("exporter", Component.PHASE_TELEMETRY, false));
        components.addBinding().toInstance(printing("app", Component.PHASE_APPLICATION, hang));
        components.addBinding().toInstance(printing("server", Component.PHASE_SERVERS, false));
      }
    });
  }

  private static AbstractModule application(String name) {
    return new AbstractModule() {
      @Override
      protected void configure() {
        Multibinder<Component> components = Multibinder.newSetBinder(binder(), Component.class);
        components.addBinding().toInstance(printing(name + "_app", Component.PHASE_APPLICATION, false));
        components.addBinding().toInstance(printing(name + "_server", Component.PHASE_SERVERS, false));
      }
    };
  }
}
