package hyperion.redis;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default {@link Codec}: JSON through Jackson. Polymorphic default typing stays off (it is off
 * unless {@code activateDefaultTyping} is called, which this class never does), so a payload such
 * as {@code {"@class":"java.lang.ProcessBuilder"}} is read as plain data into the requested type,
 * or into maps and lists when the requested type is {@code Object}. Unknown properties fail the
 * decode, so an entry written with another shape is a miss rather than a half-filled object.
 *
 * <p>Reads go through one prepared {@link ObjectReader} per type (generic types such as {@code
 * List<User>} included) and decode the payload in place.
 */
final class JacksonCodec implements Codec {

  private final ObjectMapper mapper = JsonMapper.builder()
      .addModule(new Jdk8Module())
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  /** Readers of generic types (the types of cached methods and TypeRefs: a bounded set). */
  private final Map<Type, ObjectReader> genericReaders = new ConcurrentHashMap<>();

  private final ClassValue<ObjectReader> readers = new ClassValue<>() {
    @Override
    protected ObjectReader computeValue(Class<?> type) {
      return mapper.readerFor(type);
    }
  };

  @Override
  public byte[] encode(Object value) throws Exception {
    return mapper.writeValueAsBytes(value);
  }

  @Override
  public <T> T decode(byte[] bytes, Class<T> type) throws Exception {
    return decode(bytes, 0, bytes.length, type);
  }

  @Override
  public <T> T decode(byte[] bytes, int offset, int length, Class<T> type) throws Exception {
    return readers.get(type).readValue(bytes, offset, length);
  }

  @Override
  public Object decode(byte[] bytes, int offset, int length, Type type) throws Exception {
    if (type instanceof Class<?> c) {
      return decode(bytes, offset, length, c);
    }
    return genericReaders.computeIfAbsent(type, t -> mapper.readerFor(mapper.getTypeFactory().constructType(t)))
        .readValue(bytes, offset, length);
  }

  @Override
  public String toString() {
    return "JacksonCodec[json, default typing off]";
  }
}
