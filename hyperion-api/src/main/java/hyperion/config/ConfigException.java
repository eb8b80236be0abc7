package hyperion.config;

/**
 * Bad configuration, found at start-up. The message names the key path, the offending value and
 * what is allowed, e.g. {@code redis.mode = 'clustre': unrecognized value; allowed: standalone,
 * sentinel, cluster}.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final String value;
  private final String allowed;

  /**
   * @param key the key path, dotted ({@code cache.users.max_entries})
   * @param value the offending value as written, or {@code null} when missing
   * @param allowed what would have been accepted
   */
  public ConfigException(String key, Object value, String allowed) {
    this(key, value, allowed, null);
  }

  /** As {@link #ConfigException(String, Object, String)}, with the underlying cause. */
  public ConfigException(String key, Object value, String allowed, Throwable cause) {
    super(format(key, value, allowed), cause);
    this.key = key;
    this.value = value == null ? null : String.valueOf(value);
    this.allowed = allowed;
  }

  private static String format(String key, Object value, String allowed) {
    return "invalid configuration: " + key + " = " + (value == null ? "(missing)" : "'" + value + "'")
        + ": " + allowed;
  }

  /** The dotted key path. */
  public String key() {
    return key;
  }

  /** The offending value as written, or {@code null} when it was missing. */
  public String value() {
    return value;
  }

  /** What would have been accepted. */
  public String allowed() {
    return allowed;
  }

  /** This error with {@code prefix.} put in front of the key, for errors raised inside a section. */
  public ConfigException under(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      return this;
    }
    ConfigException e = new ConfigException(prefix + "." + key, value, allowed, getCause());
    e.setStackTrace(getStackTrace());
    return e;
  }

  /** Fails unless {@code ok}; a helper for the compact constructors of config records. */
  public static void require(boolean ok, String key, Object value, String allowed) {
    if (!ok) {
      throw new ConfigException(key, value, allowed);
    }
  }
}
