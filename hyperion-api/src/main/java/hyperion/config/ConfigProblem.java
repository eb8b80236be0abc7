package hyperion.config;

/**
 * One bad configuration value: the key path, the value as written and what is allowed.
 *
 * @param key the dotted key path, e.g. {@code cache.users.max_entries} or {@code redis.addresses[0]}
 * @param value the value as written in the file or the environment, {@code null} when missing; a
 *     secret's value is never kept here ({@value Secret#MASK} stands in for it)
 * @param allowed what would have been accepted
 */
public record ConfigProblem(String key, String value, String allowed) {

  /** {@code key = 'value': allowed}, one line. */
  @Override
  public String toString() {
    return key + " = " + (value == null ? "(missing)" : "'" + value + "'") + ": " + allowed;
  }

  /** This problem with {@code prefix.} put in front of its key. */
  ConfigProblem under(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      return this;
    }
    return new ConfigProblem(key.startsWith("[") ? prefix + key : prefix + "." + key, value, allowed);
  }
}
