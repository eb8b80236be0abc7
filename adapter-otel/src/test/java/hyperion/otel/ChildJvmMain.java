package hyperion.otel;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import hyperion.Component;
import hyperion.Hyperion;
import hyperion.Span;
import hyperion.Tracer;

/**
 * A service for the SIGTERM test: ends {@code args[0]} spans in one trace through the real {@link
 * Hyperion#run} main, prints {@code READY <trace id>} and waits for a signal. Configured through
 * {@code HYPERION_CONFIG}.
 */
public final class ChildJvmMain {
  private ChildJvmMain() {}

  /** Entry point: {@code ChildJvmMain <span count>}. */
  public static void main(String[] args) {
    int count = Integer.parseInt(args[0]);
    Hyperion.run(new String[0], new OtelModule(), new AbstractModule() {
      @Override
      protected void configure() {
        Multibinder.newSetBinder(binder(), Component.class).addBinding().toInstance(new Emitter(getProvider(Tracer.class), count));
      }
    });
  }

  /** An application component that ends the spans once started. */
  static final class Emitter implements Component {
    private final com.google.inject.Provider<Tracer> tracer;
    private final int count;

    Emitter(com.google.inject.Provider<Tracer> tracer, int count) {
      this.tracer = tracer;
      this.count = count;
    }

    @Override
    public void start() {
      Tracer t = tracer.get();
      String traceId;
      try (Span root = t.start("child-root")) {
        traceId = root.traceId();
        for (int i = 1; i < count; i++) {
          try (Span s = t.start("child-" + i)) {
            s.setAttribute("i", (long) i);
          }
        }
      }
      System.out.println("READY " + traceId);
      System.out.flush();
    }

    @Override
    public void stop() {}
  }
}
