package hyperion.otel;

import hyperion.Hyperion;
import hyperion.config.Config;
import hyperion.config.ConfigException;

/** Starts and stops an application with {@code args[0]} as its YAML; prints {@code STARTED} or {@code FAILED <message>}. */
public final class StartChildMain {
  private StartChildMain() {}

  /** Entry point: {@code StartChildMain <yaml>}. */
  public static void main(String[] args) {
    try {
      Hyperion.start(Config.fromYaml(args[0]), new OtelModule()).close();
      System.out.println("STARTED");
    } catch (ConfigException e) {
      System.out.println("FAILED " + e.getMessage());
    }
  }
}
