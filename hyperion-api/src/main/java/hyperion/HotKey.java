package hyperion;

/**
 * One of a cache's most requested keys ({@link CacheManager#hotKeys()}).
 *
 * @param key the cache key
 * @param requests the estimated number of lookups of the key in the recent window: a sample of
 *     lookups is counted and scaled up, and older counts fade (see docs/caching.md, "Hot keys")
 */
public record HotKey(String key, long requests) {}
