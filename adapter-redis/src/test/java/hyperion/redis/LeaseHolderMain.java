package hyperion.redis;

import hyperion.CacheManager;
import hyperion.Hyperion;
import hyperion.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A service instance in a child JVM for {@link DistributedLoadTest}: loads key {@code args[1]} of
 * cache {@code quotes} with the configuration in file {@code args[0]}, prints {@code LOADING} once
 * its loader runs (so it holds the lease) and then hangs until the test kills it.
 */
public final class LeaseHolderMain {
  private LeaseHolderMain() {}

  /** Entry point: {@code <config file> <key>}. */
  public static void main(String[] args) throws Exception {
    Hyperion app = Hyperion.start(Config.fromYaml(Files.readString(Path.of(args[0]))), new RedisModule());
    app.injector().getInstance(CacheManager.class).cache("quotes").getOrLoad(args[1], String.class, null, k -> {
      System.out.println("LOADING");
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
      return "never";
    });
  }
}
