package hyperion;

import jakarta.inject.Provider;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

/** The Guice AOP interceptors behind {@link Traced} and {@link Timed}. */
final class Interceptors {
  private Interceptors() {}

  /** Looks the annotation up on the method, then on its declaring class. */
  static <A extends java.lang.annotation.Annotation> A find(Method m, Class<A> type) {
    A a = m.getAnnotation(type);
    return a != null ? a : m.getDeclaringClass().getAnnotation(type);
  }

  /** {@link Traced}: one span per call. */
  static final class TracedInterceptor implements MethodInterceptor {
    private final Provider<Tracer> tracer;
    private final Map<Method, String> names = new ConcurrentHashMap<>();

    TracedInterceptor(Provider<Tracer> tracer) {
      this.tracer = tracer;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
      Method m = invocation.getMethod();
      Traced traced = find(m, Traced.class);
      String name = names.computeIfAbsent(m, k -> traced.value().isEmpty()
          ? k.getDeclaringClass().getSimpleName() + "." + k.getName() : traced.value());
      try (Span span = tracer.get().spanBuilder(name).kind(traced.kind()).start()) {
        try {
          return invocation.proceed();
        } catch (Throwable e) {
          span.recordError(e);
          throw e;
        }
      }
    }
  }

  /** {@link Timed}: one histogram observation per call. */
  static final class TimedInterceptor implements MethodInterceptor {
    private final Provider<Metrics> metrics;
    /** Per method: the success child at [0], the error child at [1]; bound once, then reused. */
    private final Map<Method, Histogram.Child[]> children = new ConcurrentHashMap<>();

    TimedInterceptor(Provider<Metrics> metrics) {
      this.metrics = metrics;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
      Histogram.Child[] c = children.computeIfAbsent(invocation.getMethod(), this::bind);
      long t0 = System.nanoTime();
      boolean ok = false;
      try {
        Object result = invocation.proceed();
        ok = true;
        return result;
      } finally {
        c[ok ? 0 : 1].observe((System.nanoTime() - t0) / 1e9);
      }
    }

    private Histogram.Child[] bind(Method m) {
      Timed timed = find(m, Timed.class);
      Histogram h = metrics.get().histogram(timed.value(), timed.help(), "class", "method", "result");
      String cls = m.getDeclaringClass().getSimpleName();
      return new Histogram.Child[] {h.labels(cls, m.getName(), Metrics.SUCCESS), h.labels(cls, m.getName(), Metrics.ERROR)};
    }
  }
}
