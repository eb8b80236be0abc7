package hyperion.prometheus;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the Prometheus binaries the integration tests run; missing ones fail, never skip. */
final class Binaries {

  private Binaries() {}

  /** The executable on the PATH, or an AssertionError that says how to install it. */
  static Path require(String name) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new AssertionError(name + " not found on PATH. The adapter-prometheus integration tests need the real "
        + "Prometheus tools: install the Debian package with `apt-get install -y prometheus` (CI's .ci/run does)");
  }
}
