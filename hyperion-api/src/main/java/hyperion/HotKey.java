package hyperion;

/**
 * One of a cache's most requested keys ({@link CacheManager#hotKeys()}).
 *
 * @param key the cache key
 * @param requests the key's sampled lookups in the recent window, estimated: the cache samples
 *     the first 128 lookups of every millisecond or so (all of them when it is quieter), and older
 *     counts fade; it ranks keys, and counts a key's lookups only in a cache that quiet (see
 *     docs/caching.md, "Hot keys")
 */
public record HotKey(String key, long requests) {}
