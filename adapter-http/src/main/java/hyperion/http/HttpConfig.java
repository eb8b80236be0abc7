package hyperion.http;

import hyperion.config.ConfigException;
import hyperion.config.ConfigSection;
import java.time.Duration;

/**
 * The {@code http} section, read when {@link HttpModule} is installed. Every key is optional.
 *
 * @param port the port the server listens on (default 8080; 0 picks a free port)
 * @param host the address it binds to (default {@code 0.0.0.0})
 * @param maxRequestBodyBytes the largest request body accepted; a larger one is answered 413
 *     (default 1048576, 1 MiB)
 * @param maxRequestHeaderBytes the largest request line plus headers; larger is answered 431
 *     (default 8192)
 * @param idleTimeout how long a connection may stay silent (no byte received or sent), in the
 *     middle of a request or between keep-alive requests, before it is closed (default 30s)
 * @param maxThreads the request-handling threads (default 64); slow clients never hold one while
 *     their headers or body trickle in, Jetty reads them without a thread
 * @param maxConnections the open connections accepted at once; further clients wait in the
 *     accept queue (default 1000)
 * @param clientConnectTimeout the connect timeout of the {@link java.net.http.HttpClient} the
 *     module binds (default 2s)
 */
public record HttpConfig(int port, String host, int maxRequestBodyBytes, int maxRequestHeaderBytes,
    Duration idleTimeout, int maxThreads, int maxConnections, Duration clientConnectTimeout) {

  /** The defaults used when the section or a key is missing. */
  public static final HttpConfig DEFAULTS = new HttpConfig(8080, "0.0.0.0", 1 << 20, 8192, Duration.ofSeconds(30), 64,
      1000, Duration.ofSeconds(2));

  /** The {@code http} section: its name, this record and {@link #DEFAULTS}. */
  public static final ConfigSection<HttpConfig> SECTION = new ConfigSection<>("http", HttpConfig.class, DEFAULTS);

  /** Validates every key; the message names the key, the value and what is allowed. */
  public HttpConfig {
    ConfigException.Checks checks = ConfigException.checks();
    checks.require(port >= 0 && port <= 65535, "port", port, "0 (any free port) or a port 1-65535");
    checks.require(host != null && !host.isBlank(), "host", host,
        "an address or host name to bind, e.g. 0.0.0.0 or 127.0.0.1");
    checks.require(maxRequestBodyBytes >= 0, "max_request_body_bytes", maxRequestBodyBytes,
        "a byte count >= 0, e.g. 1048576");
    checks.require(maxRequestHeaderBytes >= 1024 && maxRequestHeaderBytes <= 1 << 20,
        "max_request_header_bytes", maxRequestHeaderBytes, "a byte count between 1024 and 1048576");
    checks.requirePositive(idleTimeout, "idle_timeout", "a positive duration, e.g. 30s");
    checks.require(maxThreads >= 4 && maxThreads <= 10_000, "max_threads", maxThreads,
        "a thread count between 4 and 10000");
    checks.require(maxConnections >= 1, "max_connections", maxConnections, "a count >= 1");
    checks.requirePositive(clientConnectTimeout, "client_connect_timeout",
        "a positive duration, e.g. 2s");
    checks.throwIfAny();
  }

}
