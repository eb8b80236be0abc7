package hyperion.redis;

import hyperion.Counter;
import hyperion.Histogram;
import hyperion.Metrics;
import hyperion.Span;
import hyperion.SpanKind;
import hyperion.StatusCode;
import hyperion.Timer;
import hyperion.Tracer;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs Redis operations for the caches and the bus: bounds every wait by the command timeout,
 * records {@code hyperion_redis_*} metrics and a CLIENT span per operation (OpenTelemetry database
 * conventions; never keys' values or credentials), and turns every Redis failure into a {@link
 * RedisUnavailable} that the callers degrade on.
 */
@Singleton
final class RedisOps {
  private static final Logger LOG = System.getLogger(RedisOps.class.getName());

  /** An operation body: issues commands on {@code c} and awaits them with {@link #await}. */
  @FunctionalInterface
  interface Body<R> {
    R run(RedisClusterAsyncCommands<String, byte[]> c) throws Exception;
  }

  /** A Redis call failed; {@link #type} is the {@code hyperion_redis_errors_total} label. */
  static final class RedisUnavailable extends Exception {
    private static final long serialVersionUID = 1L;
    final String type;

    RedisUnavailable(String type, Throwable cause) {
      super(type, cause, false, false);
      this.type = type;
    }
  }

  private final RedisClients clients;
  private final Tracer tracer;
  private final long timeoutNanos;
  private final Counter commandsTotal;
  private final Histogram duration;
  private final Counter errors;
  private final RateLimitedLog log = new RateLimitedLog(LOG, 10_000);

  @Inject
  RedisOps(RedisClients clients, Metrics metrics, Tracer tracer) {
    this.clients = clients;
    this.tracer = tracer;
    // Margin over Lettuce's own command timeout, which normally fires first.
    this.timeoutNanos = clients.config().commandTimeout().toNanos() + TimeUnit.MILLISECONDS.toNanos(100);
    this.commandsTotal = metrics.counter("hyperion_redis_commands_total",
        "Redis operations issued by the L2 cache and the invalidation bus, by command and result", "command", "result");
    this.duration = metrics.histogram("hyperion_redis_command_duration_seconds",
        "Duration of Redis operations, by command", new double[] {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
            0.1, 0.25, 0.5, 1, 2.5}, "command");
    this.errors = metrics.counter("hyperion_redis_errors_total", "Failed Redis operations, by error type", "type");
    metrics.gauge("hyperion_redis_connected", "1 when the Redis command connection is open, else 0",
        () -> clients.isConnected() ? 1 : 0);
  }

  /**
   * Runs {@code body} as operation {@code command} (the span name and metric label, e.g. {@code
   * GET}) for cache {@code cache} ({@code null} for none).
   */
  <R> R run(String command, String cache, Body<R> body) throws RedisUnavailable {
    Span span = tracer.spanBuilder(command)
        .kind(SpanKind.CLIENT)
        .attribute("db.system.name", "redis")
        .attribute("db.operation.name", command)
        .attribute("db.namespace", String.valueOf(clients.config().database()))
        .attribute("server.address", clients.serverAddress())
        .attribute("server.port", clients.serverPort())
        .start();
    if (cache != null) {
      span.setAttribute("hyperion.cache.name", cache);
    }
    try (Timer ignored = duration.labels(command).startTimer()) {
      RedisClusterAsyncCommands<String, byte[]> c = clients.commands();
      if (c == null) {
        throw new RedisUnavailable("disconnected", new RedisException("not connected to Redis yet"));
      }
      R result = body.run(c);
      commandsTotal.labels(command, "ok").inc();
      return result;
    } catch (Exception e) {
      RedisUnavailable failure = e instanceof RedisUnavailable u ? u : new RedisUnavailable(classify(e), unwrap(e));
      commandsTotal.labels(command, "error").inc();
      errors.labels(failure.type).inc();
      span.setAttribute("error.type", failure.type);
      span.setStatus(StatusCode.ERROR, failure.type);
      log.log(failure.type, () -> "redis: " + command + " failed (" + failure.type + "): " + describe(failure.getCause())
          + "; the cache call degrades to a miss / dropped write");
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw failure;
    } finally {
      span.close();
    }
  }

  /** Awaits {@code future} for at most the command timeout (plus a small margin). */
  <T> T await(CompletionStage<T> future) throws Exception {
    try {
      return future.toCompletableFuture().get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.toCompletableFuture().cancel(false);
      throw e;
    }
  }

  /** Counts an error that happened outside {@link #run} (e.g. encoding). */
  void countError(String type) {
    errors.labels(type).inc();
  }

  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static String classify(Throwable e) {
    Throwable t = unwrap(e);
    if (t instanceof RedisCommandTimeoutException || t instanceof TimeoutException) {
      return "timeout";
    }
    if (t instanceof InterruptedException) {
      return "interrupted";
    }
    if (t instanceof RedisConnectionException) {
      return "connection";
    }
    if (t instanceof RedisCommandExecutionException) {
      return "server";
    }
    String message = String.valueOf(t.getMessage());
    if (message.contains("queue size exceeded")) {
      return "queue_full";
    }
    if (message.contains("not connected") || message.contains("Connection closed") || message.contains("closed")) {
      return "disconnected";
    }
    return t instanceof RedisException ? "client" : "other";
  }

  /** Class and message: Lettuce's messages carry no values or credentials. */
  private static String describe(Throwable t) {
    return t == null ? "unknown" : t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
