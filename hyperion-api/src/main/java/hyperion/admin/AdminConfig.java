package hyperion.admin;

import hyperion.config.ConfigException;
import hyperion.config.ConfigSection;

/**
 * The {@code admin} section, read when {@link AdminModule} is installed (the Prometheus adapter
 * installs it).
 *
 * @param host address the admin server binds to (default {@code 0.0.0.0}, so Prometheus and
 *     Kubernetes probes can reach it; {@code 127.0.0.1} keeps it on the host)
 * @param port the admin server's port (default 9464, the port the OpenTelemetry Prometheus
 *     exporter also uses); {@code 0} runs no server
 */
public record AdminConfig(String host, int port) {

  /** The defaults used when the section or a key is missing. */
  public static final AdminConfig DEFAULTS = new AdminConfig("0.0.0.0", 9464);

  /** The {@code admin} section: its name, this record and {@link #DEFAULTS}. */
  public static final ConfigSection<AdminConfig> SECTION = new ConfigSection<>("admin", AdminConfig.class, DEFAULTS);

  /** Validates every key; the message names the key, the value and what is allowed. */
  public AdminConfig {
    ConfigException.Checks checks = ConfigException.checks();
    checks.require(port >= 0 && port <= 65535, "port", port, "0 (no admin server) or a port 1-65535");
    checks.require(host != null && !host.isBlank(), "host", host,
        "an address or host name to bind, e.g. 0.0.0.0 or 127.0.0.1");
    checks.throwIfAny();
  }
}
