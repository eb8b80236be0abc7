package hyperion;

import com.google.inject.Provider;
import hyperion.cache.RemoteLayer;
import hyperion.config.Config;
import hyperion.config.ConfigCheck;
import hyperion.config.ConfigProblem;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code distributed_load: true} needs an L2 layer, where the lease lives. */
final class DistributedLoadCheck implements ConfigCheck {
  private final boolean l2;

  /** {@code l2}: whether an adapter binds the L2 layer (a provider, so nothing is built here). */
  @Inject
  DistributedLoadCheck(Optional<Provider<RemoteLayer.Factory>> l2) {
    this.l2 = l2.isPresent();
  }

  @Override
  public List<ConfigProblem> problems(Config config) {
    List<ConfigProblem> problems = new ArrayList<>();
    if (!l2) {
      config.cache().caches().forEach((name, spec) -> {
        if (spec.distributedLoad()) {
          problems.add(new ConfigProblem("cache." + name + ".distributed_load", "true",
              "false unless an L2 layer is installed (the lease lives in L2: install RedisModule)"));
        }
      });
    }
    return problems;
  }
}
