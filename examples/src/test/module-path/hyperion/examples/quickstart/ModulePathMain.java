package hyperion.examples.quickstart;

import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.config.Config;
import hyperion.otel.OtelModule;
import hyperion.prometheus.PrometheusModule;
import hyperion.redis.RedisModule;
import java.nio.file.Path;

/**
 * Runs the README's quick start on the module path (ModulePathQuickStartTest): first its service,
 * through {@link Hyperion#start} with the same modules as its {@code main}, printing what the calls
 * return; then {@link QuickStart#main} itself, which serves until SIGTERM. {@code args} are {@code
 * --config <file>}, as for {@code QuickStart.main}.
 */
public final class ModulePathMain {
  private ModulePathMain() {}

  /** Prints the modules it runs in, the service's answers, "ready", then runs QuickStart.main. */
  public static void main(String[] args) {
    System.out.println("modules: " + QuickStart.class.getModule().getName() + " "
        + Hyperion.class.getModule().getName() + " " + RedisModule.class.getModule().getName());
    Config config = Config.load(Path.of(args[1]), System.getenv());
    try (Hyperion app = Hyperion.start(config, new OtelModule(), new CaffeineModule(), new RedisModule(),
        new PrometheusModule(), new QuickStart.UsersModule())) {
      QuickStart.UserService users = app.injector().getInstance(QuickStart.UserService.class);
      System.out.println("intercepted: " + (users.getClass() != QuickStart.UserService.class));
      System.out.println("get 1: " + users.get("1"));
      users.rename("1", "Ada Lovelace");
      System.out.println("after rename: " + users.get("1"));
      System.out.println("get 2: " + users.get("2"));
    }
    System.out.println("main");
    QuickStart.main(args);
  }
}
