package hyperion.otel;

import io.opentelemetry.api.common.AttributeKey;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One OpenTelemetry attribute key per name and type, shared by every span that sets the name.
 *
 * <p>The SDK's {@code setAttribute(String, value)} makes a new key object per call, and its OTLP
 * exporter encodes a key's name to UTF-8 once per key object. With the key reused, both happen
 * once per name for the life of the JVM instead of once per attribute of every span. Instrumentation
 * sets a small fixed set of names; a process that makes up names at run time gets at most
 * {@value #LIMIT} of them per type kept, and a new key per call for the rest, as the SDK does.
 */
final class AttributeKeys {
  /** Names kept per type. */
  static final int LIMIT = 1024;

  private static final ByType<String> STRINGS = new ByType<>(AttributeKey::stringKey, LIMIT);
  private static final ByType<Long> LONGS = new ByType<>(AttributeKey::longKey, LIMIT);
  private static final ByType<Double> DOUBLES = new ByType<>(AttributeKey::doubleKey, LIMIT);
  private static final ByType<Boolean> BOOLEANS = new ByType<>(AttributeKey::booleanKey, LIMIT);

  private AttributeKeys() {}

  /** The string key named {@code name}. */
  static AttributeKey<String> string(String name) {
    return STRINGS.get(name);
  }

  /** The long key named {@code name}. */
  static AttributeKey<Long> longKey(String name) {
    return LONGS.get(name);
  }

  /** The double key named {@code name}. */
  static AttributeKey<Double> doubleKey(String name) {
    return DOUBLES.get(name);
  }

  /** The boolean key named {@code name}. */
  static AttributeKey<Boolean> booleanKey(String name) {
    return BOOLEANS.get(name);
  }

  /** The keys of one type: at most {@code limit} names kept. */
  static final class ByType<T> {
    private final ConcurrentHashMap<String, AttributeKey<T>> keys = new ConcurrentHashMap<>();
    private final Function<String, AttributeKey<T>> factory;
    private final int limit;

    ByType(Function<String, AttributeKey<T>> factory, int limit) {
      this.factory = factory;
      this.limit = limit;
    }

    AttributeKey<T> get(String name) {
      AttributeKey<T> key = keys.get(name);
      if (key != null) {
        return key;
      }
      key = factory.apply(name);
      if (keys.size() < limit) {
        AttributeKey<T> raced = keys.putIfAbsent(name, key);
        return raced != null ? raced : key;
      }
      return key;
    }
  }
}
