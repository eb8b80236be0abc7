package hyperion.config;

import com.google.inject.Binder;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.Multibinder;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A top-level configuration section that a module owns: its name, the immutable record it is bound
 * to and that record's defaults. A module declares its section with {@link #declare(Binder,
 * ConfigSection)}; the core then binds and checks every declared section when the injector is
 * built, reports all problems of all sections together, and reports a top-level section that no
 * installed module declared. The core has no adapter's name in it.
 *
 * <p>Keys are the record's components in {@code snake_case}; a component that is itself a record is
 * a nested mapping ({@code tracing.batch.queue_size}). Keys holding a {@link Secret} (directly or as
 * map values) are the section's {@linkplain #secretKeys() secret keys}.
 *
 * @param name the top-level key, e.g. {@code redis}
 * @param type the record the section binds to
 * @param defaults the values of keys the file leaves out
 * @param <T> the record type
 */
public record ConfigSection<T extends Record>(String name, Class<T> type, T defaults) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  /** The multibinder's element type. */
  static final TypeLiteral<ConfigSection<?>> ELEMENT = new TypeLiteral<>() {};

  /** Checks the name and that {@code defaults} is a {@code type}. */
  public ConfigSection {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(defaults, "defaults");
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("section name must match " + NAME + ": " + name);
    }
    if (!type.isRecord()) {
      throw new IllegalArgumentException(type.getName() + " is not a record");
    }
  }

  /**
   * Declares {@code section} to the core from a module's {@code configure()}. Declaring the same
   * section twice (a module installed twice) is harmless.
   */
  public static void declare(Binder binder, ConfigSection<?> section) {
    Multibinder<ConfigSection<?>> sections = Multibinder.newSetBinder(binder, ELEMENT);
    sections.permitDuplicates();
    sections.addBinding().toInstance(section);
  }

  /** Every key of the section, dotted below the section name ({@code batch.queue_size}), in record order. */
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    collect("", type, keys, false);
    return keys;
  }

  /** The keys whose values are {@link Secret}s (never printed anywhere). */
  public List<String> secretKeys() {
    List<String> keys = new ArrayList<>();
    collect("", type, keys, true);
    return keys;
  }

  private static void collect(String prefix, Class<?> record, List<String> out, boolean secretsOnly) {
    for (RecordComponent c : record.getRecordComponents()) {
      String key = prefix + RecordBinder.snake(c.getName());
      if (c.getType().isRecord()) {
        collect(key + ".", c.getType(), out, secretsOnly);
      } else if (!secretsOnly || holdsSecret(c.getGenericType())) {
        out.add(key);
      }
    }
  }

  /** Whether a value of {@code type} is or contains a {@link Secret} (a secret, or a map or list of them). */
  static boolean holdsSecret(Type type) {
    if (type == Secret.class) {
      return true;
    }
    if (type instanceof ParameterizedType p && (p.getRawType() == Map.class || p.getRawType() == List.class)) {
      Type[] args = p.getActualTypeArguments();
      return holdsSecret(args[args.length - 1]);
    }
    return false;
  }
}
