package hyperion.redis;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The default {@link Codec}: JSON through Jackson. Polymorphic default typing stays off (it is off
 * unless {@code activateDefaultTyping} is called, which this class never does), so a payload such
 * as {@code {"@class":"java.lang.ProcessBuilder"}} is read as plain data into the requested type,
 * or into maps and lists when the requested type is {@code Object}. Unknown properties fail the
 * decode, so an entry written with another shape is a miss rather than a half-filled object.
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

  @Override
  public byte[] encode(Object value) throws Exception {
    return mapper.writeValueAsBytes(value);
  }

  @Override
  public <T> T decode(byte[] bytes, Class<T> type) throws Exception {
    return mapper.readValue(bytes, type);
  }

  @Override
  public String toString() {
    return "JacksonCodec[json, default typing off]";
  }
}
