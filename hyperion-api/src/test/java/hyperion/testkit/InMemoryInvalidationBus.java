package hyperion.testkit;

import hyperion.cache.InvalidationBus;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link InvalidationBus} for tests: buses made by one {@link Hub} deliver to each other,
 * synchronously and never back to the publisher, like instances sharing a Redis channel. {@link
 * Hub#reconnect()} simulates a connection that dropped and came back.
 */
public final class InMemoryInvalidationBus implements InvalidationBus {

  /** Connects the buses of several simulated instances. */
  public static final class Hub {
    private final List<InMemoryInvalidationBus> buses = new CopyOnWriteArrayList<>();
    private volatile boolean down;

    /** A new bus (one per simulated instance) on this hub. */
    public InMemoryInvalidationBus bus() {
      InMemoryInvalidationBus bus = new InMemoryInvalidationBus(this);
      buses.add(bus);
      return bus;
    }

    /** While down, publications are lost (as they would be during an outage). */
    public void down(boolean down) {
      this.down = down;
    }

    /** Tells every listener on every bus that the connection came back. */
    public void reconnect() {
      down = false;
      for (InMemoryInvalidationBus b : buses) {
        b.listeners.forEach(Listener::reconnected);
      }
    }
  }

  private final Hub hub;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  /**
   * Every publication made on this bus, one entry per message: {@code cache/key1,key2} ({@code
   * cache/*} for a whole cache).
   */
  public final List<String> published = new CopyOnWriteArrayList<>();

  private InMemoryInvalidationBus(Hub hub) {
    this.hub = hub;
  }

  @Override
  public CompletionStage<Void> publish(String cache, Collection<String> keys) {
    published.add(cache + "/" + String.join(",", keys));
    deliver(cache, keys);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> publishClear(String cache) {
    published.add(cache + "/*");
    deliver(cache, null);
    return CompletableFuture.completedFuture(null);
  }

  private void deliver(String cache, Collection<String> keys) {
    if (hub.down) {
      return;
    }
    for (InMemoryInvalidationBus b : hub.buses) {
      if (b != this) {
        for (Listener l : b.listeners) {
          if (keys == null) {
            l.invalidate(cache, null);
          } else {
            keys.forEach(k -> l.invalidate(cache, k));
          }
        }
      }
    }
  }

  @Override
  public void subscribe(Listener listener) {
    listeners.add(listener);
  }
}
