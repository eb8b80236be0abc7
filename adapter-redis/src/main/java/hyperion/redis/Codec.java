package hyperion.redis;

/**
 * Turns cached values into the bytes stored in Redis and back. The default, bound by {@link
 * RedisModule}, is Jackson JSON with polymorphic default typing off: the type to build is always
 * the {@code type} the caller asked for, never a class named in the payload.
 *
 * <p>Replace it by binding your own implementation:
 *
 * <pre>{@code
 * OptionalBinder.newOptionalBinder(binder(), Codec.class).setBinding().to(MyCodec.class);
 * }</pre>
 *
 * <p>Implementations must be thread-safe and must never instantiate a type named by the stored
 * bytes (the bytes come from a shared server and may have been written by anyone with access).
 * Throwing from {@link #decode} is how a codec says "corrupt or of another type": the cache counts
 * it and treats the entry as a miss.
 */
public interface Codec {

  /** Encodes {@code value} (never {@code null}); throwing refuses the write, which is counted. */
  byte[] encode(Object value) throws Exception;

  /**
   * Decodes {@code bytes} as {@code type}; throws when the bytes are corrupt or are not a {@code
   * type}. Returning {@code null} is also treated as a miss.
   */
  <T> T decode(byte[] bytes, Class<T> type) throws Exception;

  /**
   * Decodes the {@code length} bytes of {@code bytes} from {@code offset} (the payload after the
   * stored entry's header). The default copies them and calls {@link #decode(byte[], Class)};
   * override it to read in place.
   */
  default <T> T decode(byte[] bytes, int offset, int length, Class<T> type) throws Exception {
    return decode(java.util.Arrays.copyOfRange(bytes, offset, offset + length), type);
  }

  /**
   * Decodes as {@code type}, a class or a type with arguments such as {@code List<User>} (a cached
   * method's generic return type, or a {@link hyperion.TypeRef}). The default handles classes and
   * throws {@link UnsupportedOperationException} for other types, which the cache counts as a
   * decode failure (a miss); override it to support generic types.
   */
  default Object decode(byte[] bytes, int offset, int length, java.lang.reflect.Type type) throws Exception {
    if (type instanceof Class<?> c) {
      return decode(bytes, offset, length, c);
    }
    throw new UnsupportedOperationException(getClass().getName() + " decodes classes only, not " + type.getTypeName());
  }
}
