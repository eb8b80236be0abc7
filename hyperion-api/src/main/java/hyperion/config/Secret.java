package hyperion.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A credential read from the configuration: a password, a token, a header value. Its content is
 * never printed: {@link #toString()} is {@value #MASK}, configuration errors about a secret key show
 * {@value #MASK} instead of the value, and records holding one may be logged safely. Only the code
 * that hands the credential to its client library calls {@link #reveal()}.
 *
 * <p>In YAML a secret must be a string: {@code password: 1234} (a YAML number) is refused rather
 * than silently turned into text; write {@code password: '1234'}.
 */
public final class Secret {

  /** What is shown in place of the content. */
  public static final String MASK = "****";

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /** A secret holding {@code value}, which must not be {@code null}. */
  public static Secret of(String value) {
    return new Secret(Objects.requireNonNull(value, "value"));
  }

  /** The content, for the client library that needs it. Never log or print it. */
  public String reveal() {
    return value;
  }

  /** Whether the content is empty. */
  public boolean isEmpty() {
    return value.isEmpty();
  }

  /** Always {@value #MASK}: the content is never printed. */
  @Override
  public String toString() {
    return MASK;
  }

  /** Secrets are equal when their contents are (compared in time independent of where they differ). */
  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
        s.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
