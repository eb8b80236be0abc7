package hyperion.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The application's configuration: one YAML document ({@code application.yaml}) plus environment
 * overrides, bound into immutable records per section.
 *
 * <p>Top-level sections are {@value #SECTION_LIST}; anything else fails. The core sections ({@code
 * service}, {@code cache}, {@code health}) are bound and validated when the config is loaded; an
 * adapter binds its own section with {@link #section(String, Class, Object)} when its module is
 * installed, so its errors also surface at start-up.
 *
 * <p>Environment overrides: {@code HYPERION_<SECTION>__<KEY>[__<KEY>...]=value} sets the key path
 * {@code section.key...} (double underscore separates levels, names are lower-cased), e.g. {@code
 * HYPERION_REDIS__COMMAND_TIMEOUT=2s} or {@code HYPERION_CACHE__USERS__MAX_ENTRIES=500}. Overrides
 * win over the file.
 *
 * <p>Durations are written {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d} or in
 * ISO-8601 ({@code PT10S}).
 */
public final class Config {

  /** The top-level sections, comma-separated (for the Javadoc above). */
  public static final String SECTION_LIST = "service, tracing, cache, redis, metrics, health, admin, http";

  /** The top-level sections a config file may contain. */
  public static final List<String> SECTIONS = List.of(SECTION_LIST.split(", "));

  /** The environment variable (or system property {@code hyperion.config}) naming the YAML file. */
  public static final String PATH_VARIABLE = "HYPERION_CONFIG";

  private static final String ENV_PREFIX = "HYPERION_";
  private static final ObjectMapper MAPPER = newMapper();

  private final ObjectNode root;
  private final ServiceConfig service;
  private final CacheConfig cache;
  private final HealthConfig health;
  private final Map<String, Object> sections = new ConcurrentHashMap<>();

  private Config(ObjectNode root) {
    this.root = root;
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String section = it.next();
      if (!SECTIONS.contains(section)) {
        throw new ConfigException(section, "(section)", "unknown section; allowed: " + SECTION_LIST);
      }
    }
    this.service = section("service", ServiceConfig.class, ServiceConfig.DEFAULTS);
    this.health = section("health", HealthConfig.class, HealthConfig.DEFAULTS);
    this.cache = bindCaches(root.get("cache"));
  }

  /** The built-in defaults: what a service gets without any file or override. */
  public static Config defaults() {
    return new Config(JsonNodeFactory.instance.objectNode());
  }

  /**
   * Loads the file named by {@code HYPERION_CONFIG} (or system property {@code hyperion.config}),
   * else {@code ./application.yaml}, with this process's environment overrides. A missing file
   * means defaults.
   */
  public static Config load() {
    return load(defaultPath(System.getenv()), System.getenv());
  }

  /** The config file path this process uses, given its environment. */
  public static Path defaultPath(Map<String, String> env) {
    String path = System.getProperty("hyperion.config", env.get(PATH_VARIABLE));
    return Path.of(path == null || path.isBlank() ? "application.yaml" : path);
  }

  /** Loads {@code file} (missing means defaults) and applies the overrides found in {@code env}. */
  public static Config load(Path file, Map<String, String> env) {
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (NoSuchFileException e) {
      yaml = "";
    } catch (IOException e) {
      throw new ConfigException(PATH_VARIABLE, file, "a readable YAML file (" + e + ")", e);
    }
    return parse(yaml, file.toString(), env);
  }

  /** Parses {@code yaml} with no environment overrides (tests, embedded use). */
  public static Config fromYaml(String yaml) {
    return parse(yaml, "(inline)", Map.of());
  }

  /** Parses {@code yaml} and applies the overrides found in {@code env}. */
  public static Config fromYaml(String yaml, Map<String, String> env) {
    return parse(yaml, "(inline)", env);
  }

  private static Config parse(String yaml, String origin, Map<String, String> env) {
    JsonNode tree;
    try {
      tree = yaml.isBlank() ? null : MAPPER.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new ConfigException("(document)", origin, "well-formed YAML: " + e.getOriginalMessage(), e);
    }
    ObjectNode root;
    if (tree == null || tree.isNull() || tree.isMissingNode()) {
      root = JsonNodeFactory.instance.objectNode();
    } else if (tree.isObject()) {
      root = (ObjectNode) tree;
    } else {
      throw new ConfigException("(document)", origin, "a YAML mapping of sections (" + SECTION_LIST + ")");
    }
    applyEnvironment(root, env);
    return new Config(root);
  }

  private static void applyEnvironment(ObjectNode root, Map<String, String> env) {
    env.entrySet().stream()
        .filter(e -> e.getKey().startsWith(ENV_PREFIX) && e.getKey().contains("__"))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> {
          String[] path = e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).split("__");
          if (path.length < 2 || Arrays.stream(path).anyMatch(String::isEmpty) || !SECTIONS.contains(path[0])) {
            throw new ConfigException(e.getKey(), e.getValue(), "HYPERION_<SECTION>__<KEY> with a section of "
                + SECTION_LIST + " and non-empty keys separated by '__'");
          }
          ObjectNode node = root;
          for (int i = 0; i < path.length - 1; i++) {
            JsonNode child = node.get(path[i]);
            node = child instanceof ObjectNode o ? o : node.putObject(path[i]);
          }
          node.put(path[path.length - 1], e.getValue());
        });
  }

  /** The {@code service} section. */
  public ServiceConfig service() {
    return service;
  }

  /** The {@code cache} section. */
  public CacheConfig cache() {
    return cache;
  }

  /** The {@code health} section. */
  public HealthConfig health() {
    return health;
  }

  /**
   * Binds section {@code name} to record {@code type}, keys missing in the file taken from {@code
   * defaults}. The result is cached per section. Keys use snake_case; unknown keys, wrong types and
   * values the record's constructor rejects throw {@link ConfigException} naming the full key path.
   */
  public <T> T section(String name, Class<T> type, T defaults) {
    if (!SECTIONS.contains(name)) {
      throw new IllegalArgumentException("unknown section '" + name + "'; sections are " + SECTION_LIST);
    }
    Object bound = sections.computeIfAbsent(name, n -> bind(n, root.get(n), type, defaults));
    if (!type.isInstance(bound)) {
      throw new IllegalStateException("section '" + name + "' was bound as " + bound.getClass().getName()
          + ", not " + type.getName());
    }
    return type.cast(bound);
  }

  /** The raw value at a dotted key path, or {@code null}; for diagnostics and tests. */
  public String raw(String dottedPath) {
    JsonNode node = root;
    for (String part : dottedPath.split("\\.")) {
      node = node == null ? null : node.get(part);
    }
    return node == null || node.isContainerNode() ? null : node.asText();
  }

  private CacheConfig bindCaches(JsonNode node) {
    if (node == null || node.isNull()) {
      return new CacheConfig(Map.of());
    }
    if (!node.isObject()) {
      throw new ConfigException("cache", node, "a mapping of cache name to settings, e.g. cache.users.max_entries");
    }
    JsonNode base = merge(MAPPER.valueToTree(CacheSpec.DEFAULTS), node.get(CacheConfig.DEFAULT));
    Map<String, CacheSpec> caches = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = "cache." + e.getKey();
      if (!e.getValue().isObject() && !e.getValue().isNull()) {
        throw new ConfigException(key, e.getValue(), "a mapping of cache settings");
      }
      caches.put(e.getKey(), convert(key, merge(base.deepCopy(), e.getValue()), CacheSpec.class));
    }
    return new CacheConfig(caches);
  }

  private static <T> T bind(String name, JsonNode node, Class<T> type, T defaults) {
    Objects.requireNonNull(defaults, "defaults");
    if (node != null && !node.isNull() && !node.isObject()) {
      throw new ConfigException(name, node, "a mapping of settings");
    }
    return convert(name, merge(MAPPER.valueToTree(defaults), node), type);
  }

  private static <T> T convert(String prefix, JsonNode tree, Class<T> type) {
    try {
      return MAPPER.treeToValue(tree, type);
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ConfigException ce) {
        throw ce.under(join(prefix, path(e)));
      }
      throw new ConfigException(join(prefix, path(e)), null, String.valueOf(cause), e);
    } catch (UnrecognizedPropertyException e) {
      String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
          .map(String::valueOf).sorted().collect(Collectors.joining(", "));
      throw new ConfigException(join(prefix, path(e)), "(unknown key)", "unknown key; allowed keys: " + known, e);
    } catch (InvalidFormatException e) {
      String allowed = e.getTargetType() != null && e.getTargetType().isEnum()
          ? "unrecognized value; allowed: " + Arrays.stream(e.getTargetType().getEnumConstants())
              .map(c -> c.toString().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
          : "a value of type " + describe(e.getTargetType());
      throw new ConfigException(join(prefix, path(e)), e.getValue(), allowed, e);
    } catch (JsonMappingException e) {
      throw new ConfigException(join(prefix, path(e)), valueAt(tree, e), e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new ConfigException(prefix, null, e.getOriginalMessage(), e);
    }
  }

  private static Object valueAt(JsonNode tree, JsonMappingException e) {
    JsonNode node = tree;
    for (JsonMappingException.Reference ref : e.getPath()) {
      node = node == null ? null : ref.getFieldName() != null ? node.get(ref.getFieldName()) : node.get(ref.getIndex());
    }
    return node == null || node.isMissingNode() ? null : node.isValueNode() ? node.asText() : node.toString();
  }

  private static String describe(Class<?> type) {
    if (type == null) {
      return "the expected type";
    }
    if (type == Duration.class) {
      return "duration with a unit (e.g. 250ms, 10s, 5m, PT10S)";
    }
    return type.getSimpleName().toLowerCase(Locale.ROOT);
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String join(String prefix, String path) {
    return path.isEmpty() ? prefix : prefix + "." + path;
  }

  /** Deep-merges {@code override} into {@code base} (objects merge, anything else replaces). */
  private static JsonNode merge(JsonNode base, JsonNode override) {
    if (override == null || override.isNull() || override.isMissingNode()) {
      return base;
    }
    if (base instanceof ObjectNode b && override.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = override.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode existing = b.get(e.getKey());
        // Maps of user entries (e.g. resource attributes) replace the default map, records merge.
        b.set(e.getKey(), existing != null && existing.isObject() && !existing.isEmpty()
            ? merge(existing.deepCopy(), e.getValue()) : e.getValue());
      }
      return b;
    }
    return override;
  }

  private static ObjectMapper newMapper() {
    SimpleModule durations = new SimpleModule("hyperion-durations");
    durations.addDeserializer(Duration.class, new DurationDeserializer());
    durations.addSerializer(Duration.class, ToStringSerializer.instance);
    return YAMLMapper.builder()
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .addModule(durations)
        .build();
  }

  /** Parses a duration written as {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d} or ISO-8601. */
  public static Duration parseDuration(String text) {
    String s = text.trim();
    Matcher m = SIMPLE_DURATION.matcher(s);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    return Duration.parse(s);
  }

  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

  private static final class DurationDeserializer extends StdScalarDeserializer<Duration> {
    private static final long serialVersionUID = 1L;

    DurationDeserializer() {
      super(Duration.class);
    }

    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String text = p.getValueAsString();
      if (text == null || !p.currentToken().isScalarValue() || p.currentToken().isNumeric()) {
        return (Duration) ctxt.handleWeirdStringValue(Duration.class, String.valueOf(text),
            "a duration needs a unit, e.g. 250ms, 10s, 5m, PT10S");
      }
      try {
        return parseDuration(text);
      } catch (RuntimeException e) {
        return (Duration) ctxt.handleWeirdStringValue(Duration.class, text,
            "not a duration; write e.g. 250ms, 10s, 5m, 1h or PT10S");
      }
    }
  }

  /** Configs are equal when their documents (after overrides) are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Config c && c.root.equals(root);
  }

  @Override
  public int hashCode() {
    return root.hashCode();
  }

  @Override
  public String toString() {
    return "Config[service=" + service.name() + "]"; // never the document: it may hold secrets
  }
}
