package hyperion.redis;

import hyperion.HealthCheck;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Locale;

/** {@code redis}: PING on the command connection within the command timeout. Never reports credentials. */
@Singleton
final class RedisHealthCheck implements HealthCheck {
  private final RedisClients clients;
  private final RedisOps ops;

  @Inject
  RedisHealthCheck(RedisClients clients, RedisOps ops) {
    this.clients = clients;
    this.ops = ops;
  }

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public Result check() {
    String where = clients.config().mode().name().toLowerCase(Locale.ROOT) + " " + clients.serverAddress() + ":"
        + clients.serverPort();
    long start = System.nanoTime();
    try {
      String pong = ops.run("PING", null, c -> ops.await(c.ping()));
      long micros = (System.nanoTime() - start) / 1000;
      return "PONG".equalsIgnoreCase(pong)
          ? Result.up(where + ": PONG in " + (micros / 1000.0) + " ms")
          : Result.down(where + ": unexpected PING reply");
    } catch (RedisOps.RedisUnavailable e) {
      return Result.down(where + ": " + e.type);
    }
  }
}
