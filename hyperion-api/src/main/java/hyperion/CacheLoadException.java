package hyperion;

/** Thrown by {@link Cache#getOrLoad} when the loader threw a checked exception (its cause). */
public final class CacheLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Wraps the loader's failure for {@code key} in cache {@code cache}. */
  public CacheLoadException(String cache, String key, Throwable cause) {
    super("loader failed for key '" + key + "' in cache '" + cache + "': " + cause, cause);
  }
}
