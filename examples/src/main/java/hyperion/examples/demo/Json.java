package hyperion.examples.demo;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.stream.Collectors;

/**
 * The demo's one JSON mapper. Reading is strict about types (no string-to-number coercion, no
 * float for an integer) and every failure is a 400 whose message names the field, never a Java
 * type or exception.
 */
final class Json {
  static final ObjectMapper MAPPER = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private Json() {}

  static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a JSON object body as {@code type}; anything else is a 400 saying what is wrong. */
  static <T> T read(byte[] body, Class<T> type) {
    if (body.length == 0) {
      throw new HttpError(400, "a JSON object body is required");
    }
    T value;
    try {
      value = MAPPER.readValue(body, type);
    } catch (JsonMappingException e) {
      String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName()
          : "[" + r.getIndex() + "]").collect(Collectors.joining("."));
      throw new HttpError(400, field.isEmpty() ? "the body must be a JSON object" + at(e)
          : "field '" + field + "' has the wrong type or format" + at(e));
    } catch (JacksonException e) {
      throw new HttpError(400, "malformed JSON" + at(e));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (value == null) {
      throw new HttpError(400, "the body must be a JSON object, not null");
    }
    return value;
  }

  private static String at(JacksonException e) {
    JsonLocation l = e.getLocation();
    return l == null || l.getLineNr() < 0 ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
  }
}
