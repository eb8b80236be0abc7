package hyperion;

import java.lang.reflect.Array;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;

/**
 * A value type with its type arguments, such as {@code List<User>}, for the {@link Cache} reads
 * that take one. The shared layer (L2) decodes stored bytes as exactly this type; the in-process
 * layer (L1) holds objects, so it can only check the raw class ({@code List}).
 *
 * <pre>{@code
 * List<Order> orders = cache.getOrLoad("user:7", new TypeRef<List<Order>>() {}, null, k -> repository.orders(7));
 * }</pre>
 *
 * <p>Two refs are equal when their types are equal. A ref is immutable and may be kept in a
 * constant.
 *
 * @param <T> the value type
 */
public abstract class TypeRef<T> {
  private final Type type;
  private final Class<?> raw;

  /**
   * Captures the type argument of an anonymous subclass: {@code new TypeRef<List<User>>() {}}.
   * Throws {@link IllegalArgumentException} when the argument is not concrete (a type variable or
   * wildcard) and {@link IllegalStateException} when no argument was given.
   */
  protected TypeRef() {
    Type superclass = getClass().getGenericSuperclass();
    if (!(superclass instanceof ParameterizedType p) || p.getRawType() != TypeRef.class) {
      throw new IllegalStateException("create a TypeRef with its type argument: new TypeRef<List<User>>() {}");
    }
    this.type = p.getActualTypeArguments()[0];
    this.raw = rawClass(type);
  }

  private TypeRef(Type type) {
    this.type = type;
    this.raw = rawClass(type);
  }

  /** The ref of a plain class; a primitive class stands for its wrapper ({@code int} for {@link Integer}). */
  public static <T> TypeRef<T> of(Class<T> type) {
    return new Resolved<>(type);
  }

  /**
   * The ref of a reflected type (a method's generic return type, say). Throws {@link
   * IllegalArgumentException} when {@code type} is not concrete.
   */
  static TypeRef<Object> of(Type type) {
    return new Resolved<>(type);
  }

  /** The full type, as the shared layer decodes it. */
  public final Type type() {
    return type;
  }

  /** The erased class that a value of this type is an instance of (the wrapper for a primitive). */
  public final Class<?> rawType() {
    return raw;
  }

  /** {@link #rawType()} typed as {@code T}, for {@code isInstance}/{@code cast} checks on the raw class. */
  @SuppressWarnings("unchecked")
  final Class<T> castable() {
    return (Class<T>) raw;
  }

  private static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c.isPrimitive() ? wrapper(c) : c;
    }
    if (type instanceof ParameterizedType p) {
      Arrays.stream(p.getActualTypeArguments()).forEach(TypeRef::rawClass); // every argument concrete too
      return (Class<?>) p.getRawType();
    }
    if (type instanceof GenericArrayType a) {
      return Array.newInstance(rawClass(a.getGenericComponentType()), 0).getClass();
    }
    throw new IllegalArgumentException("a cached value's type must be concrete, got " + type.getTypeName()
        + " (a type variable or wildcard cannot be decoded)");
  }

  private static Class<?> wrapper(Class<?> primitive) {
    return Array.get(Array.newInstance(primitive, 1), 0).getClass(); // int -> Integer, ... (void is not a value)
  }

  /** Whether {@code o} is a ref of the same type. */
  @Override
  public final boolean equals(Object o) {
    return o instanceof TypeRef<?> r && r.type.equals(type);
  }

  /** The type's hash code. */
  @Override
  public final int hashCode() {
    return type.hashCode();
  }

  /** {@code TypeRef<java.util.List<com.example.Order>>}. */
  @Override
  public final String toString() {
    return "TypeRef<" + type.getTypeName() + ">";
  }

  private static final class Resolved<T> extends TypeRef<T> {
    Resolved(Type type) {
      super(type);
    }
  }
}
