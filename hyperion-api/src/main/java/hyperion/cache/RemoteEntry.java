package hyperion.cache;

/**
 * What a {@link RemoteLayer} read found for one key: a value, or its absence. Absent entries still
 * carry what the layer needs to make a later {@link RemoteLayer#putIfUnchanged conditional write}
 * fail if anything else was written in between.
 */
public interface RemoteEntry {

  /**
   * Whether a value was found. In a cache with {@code stale_if_error} this includes a value up to
   * that long past {@link #expiresAtMillis()}, which the tier serves only when a load fails.
   */
  boolean present();

  /**
   * The value decoded as {@code type}. Throws when the stored bytes are corrupt or are not a
   * {@code type}; the tier counts that and treats the entry as a miss.
   */
  <T> T decode(Class<T> type) throws Exception;

  /**
   * The value decoded as {@code type}, a class or a type with arguments such as {@code List<User>}
   * (what {@link hyperion.TypeRef} carries). The default handles classes through {@link
   * #decode(Class)} and throws {@link UnsupportedOperationException} for any other type, which the
   * tier treats as a miss; a layer that serializes values overrides it.
   */
  default Object decode(java.lang.reflect.Type type) throws Exception {
    if (type instanceof Class<?> c) {
      return decode(c);
    }
    throw new UnsupportedOperationException(getClass().getName() + " decodes classes only, not " + type.getTypeName());
  }

  /**
   * When the value expires, in epoch milliseconds as written by the writer's clock, or 0 when the
   * layer cannot tell (a value written by another program).
   */
  long expiresAtMillis();

  /**
   * When the value was written, in epoch milliseconds as written by the writer's clock, or 0 when
   * the layer cannot tell; {@code refresh_after} counts a value's age from it. The default is 0.
   */
  default long writtenAtMillis() {
    return 0;
  }
}
