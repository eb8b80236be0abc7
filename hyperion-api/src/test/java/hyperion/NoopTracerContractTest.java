package hyperion;

import com.google.inject.Guice;
import hyperion.testkit.TracerContract;

/** The no-op tracer bound by default honours the parts of the contract that need no recording. */
class NoopTracerContractTest extends TracerContract {
  private static final Tracer TRACER = Guice.createInjector(new HyperionModule()).getInstance(Tracer.class);

  @Override
  protected Tracer tracer() {
    return TRACER;
  }

  @Override
  protected boolean recording() {
    return false;
  }
}
