package hyperion.config;

import java.util.List;

/**
 * A check of the configuration against what the installed modules bind (a setting that needs an
 * adapter, for example), run by {@link ConfigSections} together with the sections' own checks, so
 * its problems are reported in the same pass. Contribute one with {@code
 * Multibinder.newSetBinder(binder(), ConfigCheck.class).addBinding()}; it must not depend on what
 * the configuration configures (inject providers, not instances), since it runs before any of it
 * is built.
 */
@FunctionalInterface
public interface ConfigCheck {

  /**
   * The problems of {@code config}; empty when there are none. A section this check reads may be
   * invalid itself: its {@link ConfigException} is then ignored here, the section's own problems
   * being reported anyway.
   */
  List<ConfigProblem> problems(Config config);
}
