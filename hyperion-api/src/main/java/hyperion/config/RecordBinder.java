package hyperion.config;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Binds a YAML tree to an immutable config record, key by key, so that every problem of a section
 * is found in one pass: unknown keys, values of the wrong type or shape, and every check the
 * record's constructor fails. Values are reported as written in the file (not as bound: {@code 6m},
 * not {@code PT6M}), and never for a key that holds a {@link Secret}.
 *
 * <p>Hand-written rather than Jackson data binding because Jackson stops at the first error and
 * reports it in terms of Java types.
 */
final class RecordBinder {

  private RecordBinder() {}

  /**
   * Binds {@code node} (a mapping, or {@code null} for "all defaults") to {@code type}, keys the
   * node leaves out taken from {@code defaults}. Returns {@code null} after adding at least one
   * problem, keyed below {@code path}, to {@code problems}.
   */
  static <T> T bind(String path, JsonNode node, Class<T> type, T defaults, List<ConfigProblem> problems) {
    return type.cast(bindRecord(path, node, type, defaults, problems));
  }

  private static Object bindRecord(String path, JsonNode node, Class<?> type, Object defaults,
      List<ConfigProblem> problems) {
    if (!type.isRecord()) {
      throw new IllegalArgumentException(type.getName() + " is not a record; config sections bind to records");
    }
    RecordComponent[] components = type.getRecordComponents();
    List<String> keys = Arrays.stream(components).map(c -> snake(c.getName())).toList();
    if (node != null && !node.isNull() && !node.isObject()) {
      problems.add(new ConfigProblem(path, render(node), "a mapping of settings with the keys "
          + String.join(", ", sorted(keys))));
      return null;
    }
    int before = problems.size();
    if (node != null && node.isObject()) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!keys.contains(key)) {
          // The value is not shown: a misspelt secret key would otherwise be echoed.
          problems.add(new ConfigProblem(join(path, key), "(unknown key)", "unknown key; allowed keys: "
              + String.join(", ", sorted(keys))));
        }
      }
    }
    Object[] defaultArgs = new Object[components.length];
    Object[] args = new Object[components.length];
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < components.length; i++) {
      defaultArgs[i] = defaults == null ? null : read(components[i], defaults); // all before any probe
    }
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      JsonNode child = node == null ? null : node.get(keys.get(i));
      if (child == null || child.isNull()) {
        args[i] = defaultArgs[i];
      } else {
        int index = i;
        int problemsBefore = problems.size();
        args[i] = convert(join(path, keys.get(i)), child, c.getGenericType(), defaultArgs[i], problems,
            () -> probe(type, components, defaultArgs, index));
        if (problems.size() > problemsBefore) {
          failed.add(keys.get(i));
          args[i] = defaultArgs[i]; // so the record's own checks of the other keys still run
        }
      }
    }
    if (defaults == null && problems.size() > before) {
      return null; // no defaults to stand in for the values that failed
    }
    try {
      Object bound = constructor(type, components).newInstance(args);
      return problems.size() > before ? null : bound;
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof ConfigException ce) {
        for (ConfigProblem p : ce.problems()) {
          if (!failed.contains(p.key().split("[.\\[]", 2)[0])) {
            problems.add(asWritten(p, node, type).under(path));
          }
        }
      } else {
        problems.add(new ConfigProblem(path, null, "a valid " + type.getSimpleName() + " (" + e.getCause() + ")"));
      }
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct " + type.getName(), e);
    }
  }

  /** What the record's constructor says about component {@code index} when given an impossible value. */
  private static String probe(Class<?> type, RecordComponent[] components, Object[] defaultArgs, int index) {
    Object[] args = defaultArgs.clone();
    Class<?> t = components[index].getType();
    args[index] = t == int.class ? Integer.MIN_VALUE : t == long.class ? Long.MIN_VALUE
        : t == double.class ? Double.NaN : t == boolean.class ? false : null;
    if (t == boolean.class) {
      return null; // nothing impossible to try
    }
    String key = snake(components[index].getName());
    try {
      constructor(type, components).newInstance(args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof ConfigException ce) {
        return ce.problems().stream().filter(p -> p.key().equals(key)).map(ConfigProblem::allowed)
            .findFirst().orElse(null);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
    return null;
  }

  private static Object convert(String path, JsonNode node, Type type, Object defaults, List<ConfigProblem> problems,
      java.util.function.Supplier<String> allowed) {
    Class<?> raw = raw(type);
    boolean secret = ConfigSection.holdsSecret(type);
    if (raw == Secret.class) {
      if (node.isTextual()) {
        return Secret.of(node.textValue());
      }
      problems.add(new ConfigProblem(path, Secret.MASK, "a string; a YAML " + kind(node)
          + " is not taken as a secret, quote it (e.g. '1234')"));
      return null;
    }
    if (raw == String.class) {
      if (node.isValueNode()) {
        return node.asText();
      }
      return fail(path, node, "a single value, not a " + kind(node), problems);
    }
    if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
      boolean isInt = raw == int.class || raw == Integer.class;
      try {
        BigDecimal n = node.isNumber() ? node.decimalValue() : node.isTextual() ? new BigDecimal(node.textValue().trim())
            : null;
        if (n != null) {
          long v = n.longValueExact();
          if (!isInt || (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE)) {
            return isInt ? (Object) (int) v : (Object) v;
          }
        }
      } catch (ArithmeticException | NumberFormatException e) {
        // reported below
      }
      return fail(path, node, with("a whole number", allowed.get()), problems);
    }
    if (raw == double.class || raw == Double.class) {
      try {
        if (node.isNumber()) {
          return node.doubleValue();
        }
        if (node.isTextual()) {
          double d = Double.parseDouble(node.textValue().trim());
          if (Double.isFinite(d)) {
            return d;
          }
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      return fail(path, node, with("a number", allowed.get()), problems);
    }
    if (raw == boolean.class || raw == Boolean.class) {
      if (node.isBoolean()) {
        return node.booleanValue();
      }
      if (node.isTextual() && (node.textValue().equalsIgnoreCase("true") || node.textValue().equalsIgnoreCase("false"))) {
        return Boolean.parseBoolean(node.textValue());
      }
      return fail(path, node, "true or false", problems);
    }
    if (raw == Duration.class) {
      if (node.isTextual()) {
        try {
          return Config.parseDuration(node.textValue());
        } catch (RuntimeException e) {
          // reported below
        }
      }
      String what = node.isNumber() ? "a duration needs a unit (250ms, 10s, 5m, 1h, 2d or PT10S)"
          : "a duration such as 250ms, 10s, 5m, 1h, 2d or PT10S";
      return fail(path, node, with(what, allowed.get()), problems);
    }
    if (raw.isEnum()) {
      if (node.isValueNode()) {
        Object constant = enumConstant(raw, node.asText().trim());
        if (constant != null) {
          return constant;
        }
      }
      return fail(path, node, "unrecognized value; allowed: " + enumValues(raw), problems);
    }
    if (raw == List.class) {
      Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
      if (!node.isArray()) {
        return failMaybeSecret(path, node, secret, "a list, e.g. [a, b]; got a " + kind(node), problems);
      }
      List<Object> list = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        list.add(convert(path + "[" + i + "]", node.get(i), element, null, problems, () -> null));
      }
      return Collections.unmodifiableList(list);
    }
    if (raw == Map.class) {
      Type value = ((ParameterizedType) type).getActualTypeArguments()[1];
      if (!node.isObject()) {
        return failMaybeSecret(path, node, secret, "a mapping of name to value, e.g. {name: value}; got a "
            + kind(node), problems);
      }
      Map<String, Object> map = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        map.put(e.getKey(), convert(path + "." + e.getKey(), e.getValue(), value, null, problems, () -> null));
      }
      return Collections.unmodifiableMap(map);
    }
    if (raw.isRecord()) {
      return bindRecord(path, node, raw, defaults, problems);
    }
    throw new IllegalStateException("config records cannot have components of type " + type);
  }

  private static Object fail(String path, JsonNode node, String allowed, List<ConfigProblem> problems) {
    problems.add(new ConfigProblem(path, render(node), allowed));
    return null;
  }

  private static Object failMaybeSecret(String path, JsonNode node, boolean secret, String allowed,
      List<ConfigProblem> problems) {
    problems.add(new ConfigProblem(path, secret ? Secret.MASK : render(node), allowed));
    return null;
  }

  private static String with(String type, String allowed) {
    return allowed == null ? type : "not " + type + "; allowed: " + allowed;
  }

  /**
   * {@code p} with its value replaced by the text written at its key when that text is what the
   * value was bound from ({@code 6m} for {@code PT6M}, {@code 2} for {@code 2.0}). A value the
   * record reported differently (e.g. an address with its credentials masked) is kept as reported.
   */
  private static ConfigProblem asWritten(ConfigProblem p, JsonNode node, Class<?> type) {
    JsonNode written = at(node, p.key());
    if (written == null || !written.isValueNode() || p.value() == null || isSecretKey(type, p.key())) {
      return p;
    }
    String text = written.asText();
    if (text.equals(p.value())) {
      return p;
    }
    try {
      if (Config.parseDuration(text).toString().equals(p.value())) {
        return new ConfigProblem(p.key(), text, p.allowed());
      }
    } catch (RuntimeException e) {
      // not a duration
    }
    try {
      if (new BigDecimal(text.trim()).compareTo(new BigDecimal(p.value())) == 0) {
        return new ConfigProblem(p.key(), text, p.allowed());
      }
    } catch (NumberFormatException e) {
      // not a number
    }
    return p;
  }

  private static boolean isSecretKey(Class<?> type, String key) {
    String first = key.split("[.\\[]", 2)[0];
    return Arrays.stream(type.getRecordComponents())
        .anyMatch(c -> snake(c.getName()).equals(first) && ConfigSection.holdsSecret(c.getGenericType()));
  }

  /** The node at a relative key path such as {@code batch.delay} or {@code addresses[0]}, or null. */
  private static JsonNode at(JsonNode node, String key) {
    JsonNode n = node;
    for (String part : key.split("\\.")) {
      if (n == null) {
        return null;
      }
      int bracket = part.indexOf('[');
      n = n.get(bracket < 0 ? part : part.substring(0, bracket));
      while (n != null && bracket >= 0) {
        int close = part.indexOf(']', bracket);
        if (close < 0) {
          return null;
        }
        try {
          n = n.get(Integer.parseInt(part.substring(bracket + 1, close)));
        } catch (NumberFormatException e) {
          return null;
        }
        bracket = part.indexOf('[', close);
      }
    }
    return n;
  }

  private static Object enumConstant(Class<?> type, String text) {
    for (Object constant : type.getEnumConstants()) {
      Enum<?> e = (Enum<?>) constant;
      if (e.name().equalsIgnoreCase(text)) {
        return constant;
      }
      for (String alias : names(e)) {
        if (alias.equalsIgnoreCase(text)) {
          return constant;
        }
      }
    }
    return null;
  }

  /** The written names of each constant: its {@code @JsonProperty} name, else its lower-cased name. */
  static String enumValues(Class<?> type) {
    return Arrays.stream(type.getEnumConstants()).map(c -> names((Enum<?>) c).get(0))
        .collect(Collectors.joining(", "));
  }

  private static List<String> names(Enum<?> e) {
    List<String> names = new ArrayList<>();
    try {
      var field = e.getDeclaringClass().getField(e.name());
      JsonProperty property = field.getAnnotation(JsonProperty.class);
      if (property != null && !property.value().isEmpty()) {
        names.add(property.value());
      }
      JsonAlias alias = field.getAnnotation(JsonAlias.class);
      if (alias != null) {
        names.addAll(List.of(alias.value()));
      }
    } catch (NoSuchFieldException ex) {
      // cannot happen for a constant
    }
    if (names.isEmpty() || names.get(0).isEmpty()) {
      names.add(0, e.name().toLowerCase(Locale.ROOT));
    }
    return names;
  }

  private static Object read(RecordComponent c, Object record) {
    try {
      var accessor = c.getAccessor();
      accessor.setAccessible(true);
      return accessor.invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + c, e);
    }
  }

  private static Constructor<?> constructor(Class<?> type, RecordComponent[] components)
      throws NoSuchMethodException {
    Constructor<?> ctor = type.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType)
        .toArray(Class<?>[]::new));
    ctor.setAccessible(true);
    return ctor;
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    throw new IllegalStateException("config records cannot have components of type " + type);
  }

  private static String kind(JsonNode node) {
    return node.isObject() ? "mapping" : node.isArray() ? "list" : node.isNumber() ? "number"
        : node.isBoolean() ? "boolean" : "string";
  }

  /** The node as written: a scalar's text, a mapping or list in flow style. */
  static String render(JsonNode node) {
    return node.isValueNode() ? node.asText() : node.toString();
  }

  /** {@code maxEntries} becomes {@code max_entries}, {@code l2Timeout} {@code l2_timeout}. */
  static String snake(String camel) {
    StringBuilder sb = new StringBuilder();
    for (char ch : camel.toCharArray()) {
      if (Character.isUpperCase(ch)) {
        sb.append('_').append(Character.toLowerCase(ch));
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }

  private static List<String> sorted(List<String> keys) {
    return keys.stream().sorted().toList();
  }

  private static String join(String prefix, String key) {
    return prefix == null || prefix.isEmpty() ? key : prefix + "." + key;
  }
}
