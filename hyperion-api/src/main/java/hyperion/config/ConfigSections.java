package hyperion.config;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The sections of this injector's configuration, checked together: built (eagerly, by {@code
 * HyperionModule}) from the bound {@link Config} and every {@link ConfigSection} the installed
 * modules declared, it throws one {@link ConfigException} listing every problem of every section,
 * so a file with five mistakes takes one restart, not five. Modules take their section's record
 * from here, so none of them can see or report a partial configuration.
 */
@Singleton
public final class ConfigSections {

  private final Config config;
  private final List<ConfigSection<?>> declared;

  /** Checks {@code config} against the core sections and {@code declared}. */
  public ConfigSections(Config config, Set<ConfigSection<?>> declared) {
    this(config, declared, Set.of());
  }

  /**
   * Checks {@code config} against the core sections and {@code declared}, and runs {@code checks}
   * (what the installed modules bind): every problem in one {@link ConfigException}.
   */
  @Inject
  public ConfigSections(Config config, Set<ConfigSection<?>> declared, Set<ConfigCheck> checks) {
    this.config = config;
    this.declared = declared.stream().sorted(Comparator.comparing((ConfigSection<?> s) -> s.name())).toList();
    List<ConfigProblem> more = new ArrayList<>();
    for (ConfigCheck check : checks) {
      try {
        more.addAll(check.problems(config));
      } catch (ConfigException e) {
        // a section the check reads is invalid: its own problems are reported below
      }
    }
    config.check(this.declared, more);
  }

  /** The bound record of {@code section}, which an installed module declared. */
  public <T extends Record> T get(ConfigSection<T> section) {
    if (!declared.contains(section)) {
      throw new IllegalArgumentException("section '" + section.name() + "' was not declared; declare it with "
          + "ConfigSection.declare(binder(), section) in the module's configure()");
    }
    return config.section(section);
  }

  /** The sections the installed modules declared, by name (the core's not included). */
  public List<ConfigSection<?>> declared() {
    return declared;
  }

  /** The configuration these sections come from. */
  public Config config() {
    return config;
  }
}
