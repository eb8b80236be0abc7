package hyperion.redis;

import hyperion.Counter;
import hyperion.Metrics;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Classifies failed Redis commands and counts them in {@code hyperion_redis_errors_total{type}}.
 * Every command of the adapter passes its future through {@link #map}, which also turns the reply
 * into what the caller wants in the same step (one dependent stage per command, nothing more).
 */
@Singleton
final class RedisErrors {
  private final Counter errors;

  @Inject
  RedisErrors(Metrics metrics) {
    this.errors = metrics.counter("hyperion_redis_errors_total", "Failed Redis commands, by error type", "type");
  }

  /**
   * The stage of {@code command}'s reply mapped by {@code onReply}; a failure is counted and passed
   * on unchanged.
   */
  <T, R> CompletionStage<R> map(CompletionStage<T> command, Function<? super T, ? extends R> onReply) {
    return command.handle((reply, error) -> {
      if (error != null) {
        count(error);
        throw error instanceof CompletionException ce ? ce : new CompletionException(error);
      }
      return onReply.apply(reply);
    });
  }

  /**
   * A stage failed at once because there is no connection yet; counted as {@code disconnected}.
   * When the connections were never opened because the lifecycle was never started, the failure
   * is an {@link IllegalStateException} saying so, logged at ERROR once: that is a wiring mistake,
   * not an outage, and must not pass for a cache that merely misses.
   */
  <R> CompletionStage<R> notConnected(RedisClients clients) {
    RuntimeException e;
    if (clients.everStarted()) {
      e = new RedisException("not connected to Redis");
    } else {
      e = new IllegalStateException(NOT_STARTED);
      if (notStartedLogged.compareAndSet(false, true)) {
        LOG.log(System.Logger.Level.ERROR, NOT_STARTED);
      }
    }
    count(e);
    return CompletableFuture.failedFuture(e);
  }

  static final String NOT_STARTED = "RedisModule is installed but its connections were never opened: the "
      + "application's lifecycle was not started. Build the application with Hyperion.start(config, modules) "
      + "or Hyperion.run(args, modules) (or call Lifecycle.start); until then every Redis call fails";

  private static final System.Logger LOG = System.getLogger(RedisErrors.class.getName());
  private final java.util.concurrent.atomic.AtomicBoolean notStartedLogged =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Counts one failure of {@code error}'s type (for failures seen outside {@link #map}). */
  void count(Throwable error) {
    errors.labels(classify(error)).inc();
  }

  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The {@code type} label of a failure. */
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
    if (message.contains("not connected") || message.contains("Connection closed") || message.contains("closed")
        || message.contains("Connection reset")) {
      return "disconnected";
    }
    return t instanceof RedisException ? "client" : "other";
  }
}
