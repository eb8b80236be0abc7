/**
 * The cache layer SPI: what cache adapters implement so that the one {@link hyperion.Cache}
 * implementation, the tiered cache behind {@link hyperion.Context#cache(String)}, can put them
 * together. Application code never uses these types; it uses {@link hyperion.Cache}.
 *
 * <ul>
 *   <li>{@link hyperion.cache.LocalLayer}: an in-process layer (L1), synchronous, holding objects
 *       by reference. {@code hyperion.caffeine.CaffeineModule} binds one over Caffeine.
 *   <li>{@link hyperion.cache.RemoteLayer}: a shared layer (L2), asynchronous, that reports every
 *       failure through its {@link java.util.concurrent.CompletionStage}s and never degrades on
 *       its own. {@code hyperion.redis.RedisModule} binds one over Lettuce.
 *   <li>{@link hyperion.cache.InvalidationBus}: tells other instances which keys changed, so they
 *       drop their L1 copies.
 * </ul>
 *
 * <p>The layers do no argument checks, no load coalescing, no timeouts and no metrics or spans of
 * cache requests: the tier owns all of that, once, for every combination of layers. An adapter
 * binds its factory with {@code OptionalBinder.newOptionalBinder(binder(),
 * LocalLayer.Factory.class).setBinding()} (or {@code RemoteLayer.Factory}, {@code
 * InvalidationBus}); whatever is not bound is absent.
 */
package hyperion.cache;
