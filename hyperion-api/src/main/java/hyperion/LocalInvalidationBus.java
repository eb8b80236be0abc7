package hyperion;

/**
 * The default {@link InvalidationBus} for a single instance: there is no other instance to tell,
 * so publishing does nothing and no invalidation ever arrives.
 */
final class LocalInvalidationBus implements InvalidationBus {
  @Override public void publish(String cache, String key) {}
  @Override public void subscribe(Listener listener) {}
  @Override public String toString() { return "LocalInvalidationBus"; }
}
