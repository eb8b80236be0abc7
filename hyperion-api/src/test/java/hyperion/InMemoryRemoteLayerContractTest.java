package hyperion;

import hyperion.cache.RemoteLayer;
import hyperion.testkit.InMemoryRemoteLayer;
import hyperion.testkit.RemoteLayerContract;
import java.time.Duration;
import java.util.Optional;

/** The in-memory remote layer honours the remote-layer kit, so tier tests built on it mean something. */
class InMemoryRemoteLayerContractTest extends RemoteLayerContract {
  private final InMemoryRemoteLayer.Server server = new InMemoryRemoteLayer.Server();

  InMemoryRemoteLayerContractTest() {
    server.commandTimeout = Duration.ofMillis(300);
  }

  @Override
  protected RemoteLayer.Factory factory() {
    return server;
  }

  @Override
  protected Duration failureBound() {
    return Duration.ofMillis(800);
  }

  @Override
  protected Optional<Object> tooLargeValue() {
    return Optional.of(InMemoryRemoteLayer.TOO_LARGE);
  }

  @Override
  protected Faults faults() {
    return new Faults() {
      @Override public void delay(Duration d) { server.delay(d); }
      @Override public void blackhole() { server.blackhole(true); }
      @Override public void reset() { server.failWith(new IllegalStateException("connection reset")); }
      @Override public void drop() { server.failWith(new IllegalStateException("connection refused")); }
      @Override public void heal() {
        server.delay(Duration.ZERO);
        server.blackhole(false);
        server.failWith(null);
      }
    };
  }
}
