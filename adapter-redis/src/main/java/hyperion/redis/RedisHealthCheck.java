package hyperion.redis;

import hyperion.HealthCheck;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code redis}: PING on the command connection within the command timeout; the message also tells
 * whether the invalidation bus is up, which does not change the result (with the bus down L1 is
 * bypassed and every read goes to Redis, so the instance still serves correctly). Never reports
 * credentials.
 */
@Singleton
final class RedisHealthCheck implements HealthCheck {
  private final RedisClients clients;
  private final RedisErrors errors;
  private final CoherenceMetrics coherence;

  @Inject
  RedisHealthCheck(RedisClients clients, RedisErrors errors, CoherenceMetrics coherence) {
    this.clients = clients;
    this.errors = errors;
    this.coherence = coherence;
  }

  private String bus() {
    return "; invalidation bus (" + coherence.mode() + ") " + (coherence.isUp() ? "up" : "down");
  }

  @Override
  public String name() {
    return "redis";
  }

  /** Readiness: an instance without its shared cache is degraded ({@code health.groups.redis: []} to serve anyway). */
  @Override
  public Set<Group> groups() {
    return Set.of(Group.READY);
  }

  @Override
  public Result check() {
    String where = clients.config().mode().name().toLowerCase(Locale.ROOT) + " " + clients.serverAddress() + ":"
        + clients.serverPort();
    var c = clients.commands();
    if (c == null) {
      return Result.down(where + ": disconnected");
    }
    long start = System.nanoTime();
    try {
      String pong = c.ping().toCompletableFuture()
          .get(clients.config().commandTimeout().toMillis() + 100, TimeUnit.MILLISECONDS);
      long micros = (System.nanoTime() - start) / 1000;
      return "PONG".equalsIgnoreCase(pong)
          ? Result.up(where + ": PONG in " + (micros / 1000.0) + " ms" + bus())
          : Result.down(where + ": unexpected PING reply");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.down(where + ": interrupted");
    } catch (Exception e) {
      errors.count(e);
      return Result.down(where + ": " + RedisErrors.classify(e));
    }
  }
}
