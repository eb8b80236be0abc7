package hyperion.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Bad configuration, found at start-up. It carries every problem found in one pass over the
 * configuration ({@link #problems()}), each naming the key path, the value as written and what is
 * allowed, e.g. {@code redis.mode = 'clustre': unrecognized value; allowed: standalone, sentinel,
 * cluster}. With one problem the message is {@code invalid configuration: <problem>}; with several
 * it is {@code invalid configuration (N problems):} followed by one line per problem.
 *
 * <p>No message ever contains a {@link Secret}'s content.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<ConfigProblem> problems;

  /**
   * One problem.
   *
   * @param key the key path, dotted ({@code cache.users.max_entries})
   * @param value the offending value as written, or {@code null} when missing
   * @param allowed what would have been accepted
   */
  public ConfigException(String key, Object value, String allowed) {
    this(key, value, allowed, null);
  }

  /** As {@link #ConfigException(String, Object, String)}, with the underlying cause. */
  public ConfigException(String key, Object value, String allowed, Throwable cause) {
    this(List.of(new ConfigProblem(key, value == null ? null : String.valueOf(value), allowed)), cause);
  }

  /** Several problems, reported together; {@code problems} must not be empty. */
  public ConfigException(List<ConfigProblem> problems) {
    this(problems, null);
  }

  private ConfigException(List<ConfigProblem> problems, Throwable cause) {
    super(format(problems), cause);
    this.problems = List.copyOf(problems);
  }

  private static String format(List<ConfigProblem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("no problems");
    }
    if (problems.size() == 1) {
      return "invalid configuration: " + problems.get(0);
    }
    StringBuilder sb = new StringBuilder("invalid configuration (").append(problems.size()).append(" problems):");
    for (ConfigProblem p : problems) {
      sb.append("\n  ").append(p);
    }
    return sb.toString();
  }

  /** Every problem found, in the order of the file. */
  public List<ConfigProblem> problems() {
    return problems;
  }

  /** The dotted key path of the first problem. */
  public String key() {
    return problems.get(0).key();
  }

  /** The first problem's value as written, or {@code null} when it was missing. */
  public String value() {
    return problems.get(0).value();
  }

  /** What would have been accepted for the first problem. */
  public String allowed() {
    return problems.get(0).allowed();
  }

  /** This error with {@code prefix.} put in front of every key, for errors raised inside a section. */
  public ConfigException under(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      return this;
    }
    List<ConfigProblem> prefixed = new ArrayList<>();
    for (ConfigProblem p : problems) {
      prefixed.add(p.under(prefix));
    }
    ConfigException e = new ConfigException(prefixed, getCause());
    e.setStackTrace(getStackTrace());
    return e;
  }

  /** Fails at once unless {@code ok}; for single checks. Record constructors use {@link Checks}. */
  public static void require(boolean ok, String key, Object value, String allowed) {
    if (!ok) {
      throw new ConfigException(key, value, allowed);
    }
  }

  /** A collector for the checks of one config record's constructor, so all its problems are reported. */
  public static Checks checks() {
    return new Checks();
  }

  /**
   * Collects failed checks and throws them together from {@link #throwIfAny()}. A record's compact
   * constructor makes one, runs every check, then calls {@code throwIfAny()}; a check that needs a
   * value an earlier check found missing should guard itself.
   */
  public static final class Checks {
    private static final Duration ONE_MILLI = Duration.ofMillis(1);
    private final List<ConfigProblem> problems = new ArrayList<>();

    private Checks() {}

    /** Records a problem unless {@code ok}; returns {@code ok}. */
    public boolean require(boolean ok, String key, Object value, String allowed) {
      if (!ok) {
        problems.add(new ConfigProblem(key, value == null ? null : String.valueOf(value), allowed));
      }
      return ok;
    }

    /** Records a problem unless {@code d} is longer than zero; returns whether it is. */
    public boolean requirePositive(Duration d, String key, String allowed) {
      return require(d != null && !d.isNegative() && !d.isZero(), key, d, allowed);
    }

    /**
     * Records a problem unless {@code d} is from 1 ms to {@code max}, both included (a shorter one,
     * e.g. {@code PT0.0005S}, would be no timeout a caller could keep); returns whether it is.
     */
    public boolean requireMillisTo(Duration d, Duration max, String key, String allowed) {
      return require(d != null && d.compareTo(ONE_MILLI) >= 0 && d.compareTo(max) <= 0, key, d, allowed);
    }

    /** Whether every check so far passed. */
    public boolean ok() {
      return problems.isEmpty();
    }

    /** Throws a {@link ConfigException} with every recorded problem, if there is one. */
    public void throwIfAny() {
      if (!problems.isEmpty()) {
        throw new ConfigException(problems);
      }
    }
  }
}
