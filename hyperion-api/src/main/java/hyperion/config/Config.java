package hyperion.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The application's configuration: one YAML document ({@code application.yaml}) plus environment
 * overrides, bound into immutable records per section.
 *
 * <p>The core owns the sections {@code service}, {@code cache} and {@code health}; every other
 * section belongs to the module that declares it with {@link ConfigSection#declare}. Loading only
 * parses the document: every section, the core's and the declared ones, is bound and checked by
 * {@link #check(Collection)} when the injector is built, and all problems of all sections are
 * reported together in one {@link ConfigException}. A top-level section that no installed module
 * declared is one of those problems.
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

  /** The sections the core owns; adapters declare theirs with {@link ConfigSection#declare}. */
  public static final List<String> CORE_SECTIONS = List.of("service", "cache", "health");

  /** The core's {@code service} section. */
  public static final ConfigSection<ServiceConfig> SERVICE =
      new ConfigSection<>("service", ServiceConfig.class, ServiceConfig.DEFAULTS);

  /** The core's {@code health} section. */
  public static final ConfigSection<HealthConfig> HEALTH =
      new ConfigSection<>("health", HealthConfig.class, HealthConfig.DEFAULTS);

  /** The environment variable (or system property {@code hyperion.config}) naming the YAML file. */
  public static final String PATH_VARIABLE = "HYPERION_CONFIG";

  private static final String ENV_PREFIX = "HYPERION_";
  private static final ObjectMapper MAPPER = newMapper();

  private final ObjectNode root;
  private final Map<String, String> overriddenBy;
  private final List<ConfigProblem> coreProblems;
  private final ServiceConfig service;
  private final CacheConfig cache;
  private final HealthConfig health;
  private final Map<String, Object> sections = new ConcurrentHashMap<>();

  private Config(ObjectNode root, Map<String, String> overriddenBy, List<ConfigProblem> loadProblems) {
    this.root = root;
    this.overriddenBy = Map.copyOf(overriddenBy);
    List<ConfigProblem> problems = new ArrayList<>(loadProblems);
    this.service = RecordBinder.bind("service", root.get("service"), ServiceConfig.class, ServiceConfig.DEFAULTS,
        problems);
    this.health = RecordBinder.bind("health", root.get("health"), HealthConfig.class, HealthConfig.DEFAULTS,
        problems);
    this.cache = bindCaches(root.get("cache"), problems);
    this.coreProblems = List.copyOf(problems);
  }

  /** The built-in defaults: what a service gets without any file or override. */
  public static Config defaults() {
    return new Config(JsonNodeFactory.instance.objectNode(), Map.of(), List.of());
  }

  /**
   * Loads the file named by {@code HYPERION_CONFIG} (or system property {@code hyperion.config}),
   * which must then exist, else {@code ./application.yaml} if it exists, else the defaults; with
   * this process's environment overrides.
   */
  public static Config load() {
    Map<String, String> env = System.getenv();
    Path named = namedPath(env);
    return named != null ? load(named, env) : loadIfPresent(Path.of("application.yaml"), env);
  }

  /**
   * The config file this process names explicitly (system property {@code hyperion.config}, else
   * {@code HYPERION_CONFIG}), or {@code null} when it names none.
   */
  public static Path namedPath(Map<String, String> env) {
    String path = System.getProperty("hyperion.config", env.get(PATH_VARIABLE));
    return path == null || path.isBlank() ? null : Path.of(path);
  }

  /**
   * Loads {@code file}, which must exist (a file named explicitly and not found is a start-up
   * error, never a silent fall-back to defaults), and applies the overrides found in {@code env}.
   */
  public static Config load(Path file, Map<String, String> env) {
    try {
      return parse(Files.readString(file), file.toString(), env);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file", file, "an existing YAML file (no such file; working directory "
          + Path.of("").toAbsolutePath() + ")");
    } catch (IOException e) {
      throw new ConfigException("config file", file, "a readable YAML file (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Loads {@code file} if it exists, else the defaults, with the overrides found in {@code env}. */
  public static Config loadIfPresent(Path file, Map<String, String> env) {
    return Files.exists(file) ? load(file, env) : parse("", file.toString(), env);
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
      // Only the first line and the position: the parser's excerpt of the line could hold a secret.
      String first = e.getOriginalMessage() == null ? "syntax error" : e.getOriginalMessage().lines().findFirst()
          .orElse("syntax error");
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr();
      throw new ConfigException("(document)", origin, "well-formed YAML: " + first.replaceAll(" in 'reader'.*", "")
          + where);
    }
    ObjectNode root;
    if (tree == null || tree.isNull() || tree.isMissingNode()) {
      root = JsonNodeFactory.instance.objectNode();
    } else if (tree.isObject()) {
      root = (ObjectNode) tree;
    } else {
      throw new ConfigException("(document)", origin, "a YAML mapping of sections, e.g. service: {name: users}");
    }
    Map<String, String> overriddenBy = new LinkedHashMap<>();
    List<ConfigProblem> problems = new ArrayList<>();
    applyEnvironment(root, env, overriddenBy, problems);
    return new Config(root, overriddenBy, problems);
  }

  private static void applyEnvironment(ObjectNode root, Map<String, String> env, Map<String, String> overriddenBy,
      List<ConfigProblem> problems) {
    env.entrySet().stream()
        .filter(e -> e.getKey().startsWith(ENV_PREFIX) && e.getKey().contains("__"))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> {
          String[] path = e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).split("__", -1);
          if (path.length < 2 || Arrays.stream(path).anyMatch(String::isEmpty)) {
            // The value is not shown: the variable may hold a secret.
            problems.add(new ConfigProblem(e.getKey(), "(environment variable)",
                "HYPERION_<SECTION>__<KEY>[__<KEY>...] with non-empty names separated by '__'"));
            return;
          }
          ObjectNode node = root;
          for (int i = 0; i < path.length - 1; i++) {
            JsonNode child = node.get(path[i]);
            node = child instanceof ObjectNode o ? o : node.putObject(path[i]);
          }
          node.put(path[path.length - 1], e.getValue());
          overriddenBy.put(String.join(".", path), e.getKey());
        });
  }

  /** The {@code service} section; throws the core sections' problems if they have any. */
  public ServiceConfig service() {
    requireValidCore();
    return service;
  }

  /** The {@code cache} section; throws the core sections' problems if they have any. */
  public CacheConfig cache() {
    requireValidCore();
    return cache;
  }

  /** The {@code health} section; throws the core sections' problems if they have any. */
  public HealthConfig health() {
    requireValidCore();
    return health;
  }

  private void requireValidCore() {
    if (!coreProblems.isEmpty()) {
      throw new ConfigException(withOrigins(coreProblems));
    }
  }

  /**
   * Binds and checks the core sections and every section in {@code declared}, and reports every
   * top-level section that is neither; throws one {@link ConfigException} with all problems, in the
   * order of the file. Called when the injector is built.
   */
  public void check(Collection<? extends ConfigSection<?>> declared) {
    check(declared, List.of());
  }

  /**
   * {@link #check(Collection)}, reporting {@code more} (the problems {@link ConfigCheck}s found) with
   * the sections' own in the one {@link ConfigException}.
   */
  public void check(Collection<? extends ConfigSection<?>> declared, List<ConfigProblem> more) {
    List<ConfigProblem> problems = new ArrayList<>(coreProblems);
    problems.addAll(more);
    Set<String> known = new TreeSet<>(CORE_SECTIONS);
    for (ConfigSection<?> s : declared) {
      known.add(s.name());
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        problems.add(new ConfigProblem(name, "(section)", "unknown section; the installed modules declare "
            + String.join(", ", known)));
      }
    }
    for (ConfigSection<?> s : declared) {
      if (!CORE_SECTIONS.contains(s.name())) {
        Object bound = bindSection(s.name(), s.type(), s.defaults());
        if (bound instanceof ConfigException e) {
          problems.addAll(e.problems());
        }
      }
    }
    if (!problems.isEmpty()) {
      List<String> order = new ArrayList<>();
      root.fieldNames().forEachRemaining(order::add);
      problems = new ArrayList<>(new LinkedHashSet<>(problems));
      problems.sort(Comparator.comparingInt(p -> {
        int i = order.indexOf(p.key().split("[.\\[]", 2)[0]);
        return i < 0 ? Integer.MAX_VALUE : i;
      }));
      throw new ConfigException(withOrigins(problems));
    }
  }

  /** The bound record of {@code section}; throws every problem of that section. */
  public <T extends Record> T section(ConfigSection<T> section) {
    return section(section.name(), section.type(), section.defaults());
  }

  /**
   * Binds section {@code name} to record {@code type}, keys missing in the file taken from {@code
   * defaults}. The result is cached per section. Keys use snake_case; unknown keys, wrong types and
   * values the record's constructor rejects are reported together in one {@link ConfigException}.
   */
  public <T> T section(String name, Class<T> type, T defaults) {
    if (CORE_SECTIONS.contains(name)) {
      throw new IllegalArgumentException("'" + name + "' is a core section; use service(), cache() or health()");
    }
    Object bound = bindSection(name, type, defaults);
    if (bound instanceof ConfigException e) {
      throw e;
    }
    if (!type.isInstance(bound)) {
      throw new IllegalStateException("section '" + name + "' was bound as " + bound.getClass().getName()
          + ", not " + type.getName());
    }
    return type.cast(bound);
  }

  private Object bindSection(String name, Class<?> type, Object defaults) {
    return sections.computeIfAbsent(name, n -> {
      List<ConfigProblem> problems = new ArrayList<>();
      Object bound = bindAny(n, root.get(n), type, defaults, problems);
      return problems.isEmpty() ? bound : new ConfigException(withOrigins(problems));
    });
  }

  @SuppressWarnings("unchecked")
  private static <T> T bindAny(String name, JsonNode node, Class<T> type, Object defaults,
      List<ConfigProblem> problems) {
    return RecordBinder.bind(name, node, type, (T) defaults, problems);
  }

  /** Whether the file or an override sets the dotted key path (e.g. {@code tracing.endpoint}). */
  public boolean isSet(String dottedPath) {
    JsonNode node = root;
    for (String part : dottedPath.split("\\.")) {
      node = node == null ? null : node.get(part);
    }
    return node != null && !node.isNull();
  }

  /** The raw value at a dotted key path, or {@code null}; for diagnostics and tests. */
  public String raw(String dottedPath) {
    JsonNode node = root;
    for (String part : dottedPath.split("\\.")) {
      node = node == null ? null : node.get(part);
    }
    return node == null || node.isContainerNode() ? null : node.asText();
  }

  /** Problems whose key was set by an environment variable say so. */
  private List<ConfigProblem> withOrigins(List<ConfigProblem> problems) {
    if (overriddenBy.isEmpty()) {
      return problems;
    }
    List<ConfigProblem> out = new ArrayList<>();
    for (ConfigProblem p : problems) {
      String variable = overriddenBy.get(p.key());
      if (variable == null) { // a section or mapping that only an override created
        variable = overriddenBy.entrySet().stream().filter(e -> e.getKey().startsWith(p.key() + "."))
            .map(Map.Entry::getValue).findFirst().orElse(null);
      }
      out.add(variable == null ? p : new ConfigProblem(p.key(), p.value(), p.allowed() + " (set by " + variable + ")"));
    }
    return out;
  }

  private static CacheConfig bindCaches(JsonNode node, List<ConfigProblem> problems) {
    if (node == null || node.isNull()) {
      return new CacheConfig(Map.of());
    }
    if (!node.isObject()) {
      problems.add(new ConfigProblem("cache", RecordBinder.render(node),
          "a mapping of cache name to settings, e.g. cache.users.max_entries"));
      return null;
    }
    int before = problems.size();
    CacheSpec base = RecordBinder.bind("cache." + CacheConfig.DEFAULT, node.get(CacheConfig.DEFAULT), CacheSpec.class,
        CacheSpec.DEFAULTS, problems);
    if (base == null) {
      base = CacheSpec.DEFAULTS; // still check the other caches, against the built-in defaults
    }
    Map<String, CacheSpec> caches = new LinkedHashMap<>();
    caches.put(CacheConfig.DEFAULT, base);
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().equals(CacheConfig.DEFAULT)) {
        caches.put(e.getKey(), RecordBinder.bind("cache." + e.getKey(), e.getValue(), CacheSpec.class, base,
            problems));
      }
    }
    return problems.size() > before ? null : new CacheConfig(caches);
  }

  private static ObjectMapper newMapper() {
    return YAMLMapper.builder()
        // Numbers keep their written form (2.0 stays 2.0, 1.10 stays 1.10) for "as written" messages.
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
        .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
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
    return "Config[service=" + (service == null ? "(invalid)" : service.name()) + "]"; // never the document
  }
}
