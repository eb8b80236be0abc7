package hyperion;

import hyperion.CacheMetrics.L2Op;
import hyperion.cache.RejectedValueException;
import hyperion.cache.RemoteLayer;
import hyperion.config.CacheSpec;
import hyperion.internal.RateLimitedLog;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Waits for one cache's L2 operations: the circuit breaker, the time budget, the one client span of
 * each operation, the L2 metrics and the rate-limited warnings. The caller waits on the layer's own
 * future (no thread of ours in between) until its deadline; an operation it stopped waiting for goes
 * on in the background and is counted. Never throws.
 */
final class L2Caller {

  /** What a wait returns when L2 failed, timed out or was skipped by the breaker. */
  static final Object FAILED = new Object();

  private static final System.Logger LOG = System.getLogger(TieredCache.class.getName());

  private final String name;
  private final Tracer tracer;
  private final CacheMetrics.Bound metrics;
  private final CircuitBreaker breaker;
  private final RateLimitedLog log;
  private final long timeoutNanos;
  private final String[] attributeKeys;
  private final Object[] attributeValues;

  L2Caller(String name, CacheSpec spec, RemoteLayer l2, Tracer tracer, CacheMetrics.Bound metrics,
      LongSupplier nanos, RateLimitedLog log) {
    this.name = name;
    this.tracer = tracer;
    this.metrics = metrics;
    this.log = log;
    this.timeoutNanos = spec.l2Timeout().toNanos();
    Map<String, Object> attributes = l2.spanAttributes();
    this.attributeKeys = attributes.keySet().toArray(String[]::new);
    this.attributeValues = new Object[attributeKeys.length];
    for (int i = 0; i < attributeKeys.length; i++) {
      Object v = attributes.get(attributeKeys[i]);
      attributeValues[i] = v instanceof Integer n ? (Long) n.longValue() : v instanceof Long ? v : String.valueOf(v);
    }
    this.breaker = new CircuitBreaker(spec.breakerFailures(), spec.breakerCooldown(), nanos, state -> {
      metrics.breakerOpen.set(state == CircuitBreaker.CLOSED ? 0 : 1);
      if (state == CircuitBreaker.OPEN) {
        log.warn("breaker:" + name, () -> "cache '" + name + "': L2 circuit breaker open after "
            + spec.breakerFailures() + " consecutive failures; skipping L2 for " + spec.breakerCooldown());
      } else if (state == CircuitBreaker.CLOSED) {
        LOG.log(Level.INFO, "cache ''{0}'': L2 answered again, circuit breaker closed", name);
      }
    });
  }

  /** Whether the breaker lets a call through now; when it does, the call's outcome must be reported. */
  boolean allow() {
    return breaker.allow();
  }

  int breakerState() {
    return breaker.state();
  }

  /** Calls a layer method; a layer that throws instead of failing its stage is treated the same. */
  static <R> CompletionStage<R> call(Supplier<CompletionStage<R>> method) {
    try {
      return method.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Waits for an operation the breaker allowed until {@code deadline}, inside the one client span of
   * the call. Returns its result, or {@link #FAILED} when it failed or the time ran out (then it goes
   * on in the background, counted). Reports the outcome to the breaker.
   */
  Object await(L2Op op, CompletionStage<?> stage, long deadline) {
    long start = System.nanoTime();
    Span span = span(op);
    try {
      CompletableFuture<?> f = stage.toCompletableFuture();
      long wait = deadline - start;
      Object r = wait > 0 || f.isDone() ? f.get(Math.max(0, wait), TimeUnit.NANOSECONDS) : timeout();
      breaker.success();
      return r;
    } catch (TimeoutException e) {
      metrics.timedOut(op);
      breaker.failure();
      stage.whenComplete((r, error) -> {
        if (error != null) {
          log.warn("l2:" + name, () -> "cache '" + name + "': L2 " + op.label + " failed after the caller stopped"
              + " waiting: " + describe(error));
        }
      });
      return failed(span, op, new TimeoutException("L2 " + op.label + " took longer than the time left of "
          + Duration.ofNanos(timeoutNanos)));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RejectedValueException rejected) {
        breaker.abandon();
        rejected(rejected);
        span.recordError(rejected);
        return FAILED;
      }
      breaker.failure();
      return failed(span, op, cause);
    } catch (InterruptedException e) {
      // The caller was interrupted, L2 did nothing wrong: no breaker failure, no warning.
      Thread.currentThread().interrupt();
      breaker.abandon();
      span.recordError(e);
      return FAILED;
    } catch (RuntimeException e) {
      breaker.failure(); // e.g. a cancelled stage
      return failed(span, op, e);
    } finally {
      metrics.l2Duration(op, System.nanoTime() - start);
      span.close();
    }
  }

  /** Reports the outcome of an operation nobody waits for (a load's write-back) when it completes. */
  void background(L2Op op, CompletionStage<?> stage) {
    long start = System.nanoTime();
    stage.whenComplete((r, error) -> {
      metrics.l2Duration(op, System.nanoTime() - start);
      if (error == null) {
        breaker.success();
        return;
      }
      Throwable cause = unwrap(error);
      if (cause instanceof RejectedValueException rejected) {
        breaker.abandon();
        rejected(rejected);
        return;
      }
      breaker.failure();
      metrics.writeFailures.inc();
      log.warn("l2:" + name, () -> "cache '" + name + "': L2 " + op.label + " failed: " + describe(cause));
    });
  }

  private static Object timeout() throws TimeoutException {
    throw new TimeoutException();
  }

  private Span span(L2Op op) {
    SpanBuilder b = tracer.spanBuilder(op.spanName).kind(SpanKind.CLIENT).attribute("cache.name", name)
        .attribute("cache.operation", op.label);
    for (int i = 0; i < attributeKeys.length; i++) {
      if (attributeValues[i] instanceof Long n) {
        b.attribute(attributeKeys[i], n.longValue());
      } else {
        b.attribute(attributeKeys[i], (String) attributeValues[i]);
      }
    }
    return b.start();
  }

  private void rejected(RejectedValueException rejected) {
    metrics.valueError(rejected.reason());
    log.warn("rejected:" + name, () -> "cache '" + name + "': " + rejected.getMessage() + "; not stored in L2");
  }

  private Object failed(Span span, L2Op op, Throwable error) {
    span.recordError(error);
    log.warn("l2:" + name, () -> "cache '" + name + "': L2 " + op.label + " failed, served without L2: "
        + describe(error));
    return FAILED;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Class and message: layers' messages carry no values or credentials. */
  static String describe(Throwable t) {
    Throwable c = unwrap(t);
    return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
  }
}
