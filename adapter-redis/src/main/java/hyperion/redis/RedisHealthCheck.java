package hyperion.redis;

import hyperion.HealthCheck;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code redis}: PING on the command connection within the command timeout; the message also tells
 * whether the invalidation bus is up (in tracking mode also how many masters are tracked), which
 * does not change the result (with the bus down L1 keeps each copy at most {@code
 * coherence_timeout}, so the instance still serves correctly). Never reports
 * credentials.
 */
@Singleton
final class RedisHealthCheck implements HealthCheck {
  private final RedisClients clients;
  private final RedisErrors errors;
  private final CoherenceMetrics coherence;
  private final RedisTrackingBus tracking; // null in pubsub mode

  @Inject
  RedisHealthCheck(RedisClients clients, RedisErrors errors, CoherenceMetrics coherence,
      Provider<RedisTrackingBus> tracking) {
    this.clients = clients;
    this.errors = errors;
    this.coherence = coherence;
    this.tracking = clients.config().coherence() == RedisConfig.Coherence.TRACKING ? tracking.get() : null;
  }

  private String bus() {
    return "; invalidation bus (" + coherence.mode() + ") " + (coherence.isUp() ? "up" : "down")
        + (tracking == null ? "" : ", " + tracking.trackedState());
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
      return Result.down(where + ": disconnected" + bus());
    }
    long start = System.nanoTime();
    try {
      String pong = c.ping().toCompletableFuture()
          .get(clients.config().commandTimeout().toMillis() + 100, TimeUnit.MILLISECONDS);
      long micros = (System.nanoTime() - start) / 1000;
      return "PONG".equalsIgnoreCase(pong)
          ? Result.up(where + ": PONG in " + (micros / 1000.0) + " ms" + bus())
          : Result.down(where + ": unexpected PING reply" + bus());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.down(where + ": interrupted" + bus());
    } catch (Exception e) {
      errors.count(e);
      return Result.down(where + ": " + RedisErrors.classify(e) + bus());
    }
  }
}
