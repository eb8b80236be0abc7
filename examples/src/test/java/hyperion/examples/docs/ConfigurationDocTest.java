package hyperion.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.admin.AdminConfig;
import hyperion.config.CacheSpec;
import hyperion.config.Config;
import hyperion.config.ConfigSection;
import hyperion.config.Secret;
import hyperion.http.HttpConfig;
import hyperion.otel.TracingConfig;
import hyperion.prometheus.MetricsConfig;
import hyperion.redis.RedisConfig;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md has one table per declared section, listing exactly the section's keys,
 * each with its type, its default and whether it is a secret, as the section's record declares them.
 */
class ConfigurationDocTest {

  /** Every section: the core's and each adapter's declaration ({@code cache} lists a {@link CacheSpec}). */
  static final List<ConfigSection<?>> SECTIONS = List.of(Config.SERVICE, Config.HEALTH,
      new ConfigSection<>("cache", CacheSpec.class, CacheSpec.DEFAULTS), TracingConfig.SECTION, RedisConfig.SECTION,
      MetricsConfig.SECTION, HttpConfig.SECTION, AdminConfig.SECTION);

  record Row(String key, String type, String defaultCell, String allowed, String secret) {}

  static Map<String, Row> table(String doc, String section) {
    Matcher m = Pattern.compile("(?m)^## `" + section + "`\\n").matcher(doc);
    assertThat(m.find()).as("a '## `%s`' heading", section).isTrue();
    int end = doc.indexOf("\n## ", m.end());
    String body = doc.substring(m.end(), end < 0 ? doc.length() : end);
    assertThat(body).as(section + " table header").contains("| key | type | default | allowed | secret | meaning |");
    Map<String, Row> rows = new LinkedHashMap<>();
    for (String line : body.lines().toList()) {
      Matcher r = Pattern.compile("^\\| `([a-z0-9_.]+)` \\| ([^|]+) \\| (.+?) \\| ((?:[^|]|\\\\\\|)+) \\| (yes|no) \\| ")
          .matcher(line);
      if (r.find()) {
        rows.put(r.group(1), new Row(r.group(1), r.group(2).trim(), r.group(3).trim(), r.group(4), r.group(5)));
      }
    }
    return rows;
  }

  @Test
  void everyDeclaredKeyIsDocumentedWithItsTypeDefaultAndSecrecy() throws Exception {
    String doc = Files.readString(Path.of("../docs/configuration.md"));
    List<String> wrong = new ArrayList<>();
    for (ConfigSection<?> section : SECTIONS) {
      Map<String, Row> rows = table(doc, section.name());
      assertThat(rows.keySet()).as("keys of `%s` in docs/configuration.md", section.name())
          .containsExactlyInAnyOrderElementsOf(section.keys());
      for (Map.Entry<String, Component> e : components(section.type(), section.defaults(), "").entrySet()) {
        Row row = rows.get(e.getKey());
        Component c = e.getValue();
        String where = section.name() + "." + e.getKey();
        if (!row.type().equals(docType(c.type()))) {
          wrong.add(where + ": type '" + row.type() + "', the record says '" + docType(c.type()) + "'");
        }
        String secret = section.secretKeys().contains(e.getKey()) ? "yes" : "no";
        if (!row.secret().equals(secret)) {
          wrong.add(where + ": secret '" + row.secret() + "', the record says '" + secret + "'");
        }
        if (c.type() instanceof Class<?> k && k.isEnum()) {
          for (Object constant : k.getEnumConstants()) {
            String value = written((Enum<?>) constant);
            if (!row.allowed().contains("`" + value + "`")) {
              wrong.add(where + ": allowed values lack `" + value + "`");
            }
          }
        }
        String expected = render(c.defaultValue());
        Matcher first = Pattern.compile("^`([^`]*)`").matcher(row.defaultCell());
        if (expected != null && first.find() && !first.group(1).equals(expected)) {
          wrong.add(where + ": default `" + first.group(1) + "`, the record's is `" + expected + "`");
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  record Component(Type type, Object defaultValue) {}

  /** The leaf keys of a record with their types and default values. */
  static Map<String, Component> components(Class<?> type, Object defaults, String prefix) throws Exception {
    Map<String, Component> out = new LinkedHashMap<>();
    for (RecordComponent c : type.getRecordComponents()) {
      String key = prefix + c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
      Object value = defaults == null ? null : c.getAccessor().invoke(defaults);
      if (c.getType().isRecord()) {
        out.putAll(components(c.getType(), value, key + "."));
      } else {
        out.put(key, new Component(c.getGenericType(), value));
      }
    }
    return out;
  }

  static String docType(Type type) {
    if (type instanceof ParameterizedType p) {
      Type arg = p.getActualTypeArguments()[p.getActualTypeArguments().length - 1];
      String of = arg instanceof ParameterizedType ? docType(arg) : docType(arg) + "s";
      return p.getRawType() == List.class ? "list of " + of : "map of " + of;
    }
    Class<?> c = (Class<?>) type;
    if (c == String.class || c == Secret.class) {
      return "string";
    }
    if (c == int.class || c == long.class) {
      return "integer";
    }
    if (c == double.class || c == Double.class) {
      return "number";
    }
    if (c == boolean.class) {
      return "boolean";
    }
    if (c == Duration.class) {
      return "duration";
    }
    return c.isEnum() ? "enum" : c.getSimpleName();
  }

  /** An enum constant as the configuration accepts and reports it (its {@code @JsonProperty} name, else lower case). */
  static String written(Enum<?> e) {
    try {
      var property = e.getDeclaringClass().getField(e.name())
          .getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
      return property != null ? property.value() : e.name().toLowerCase(Locale.ROOT);
    } catch (NoSuchFieldException ex) {
      throw new AssertionError(ex);
    }
  }

  /** A scalar default as the docs write it, or {@code null} when there is nothing simple to compare. */
  static String render(Object value) {
    if (value == null || value instanceof Map || value instanceof List) {
      return null;
    }
    if (value instanceof String s) {
      return s.isEmpty() ? null : s;
    }
    if (value instanceof Enum<?> e) {
      return written(e);
    }
    if (value instanceof Duration d) {
      if (d.isZero()) {
        return "0";
      }
      long ms = d.toMillis();
      return ms % 86_400_000 == 0 ? ms / 86_400_000 + "d" : ms % 3_600_000 == 0 ? ms / 3_600_000 + "h"
          : ms % 60_000 == 0 ? ms / 60_000 + "m" : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
    return String.valueOf(value);
  }
}
