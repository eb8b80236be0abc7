/**
 * HTTP for Hyperion services: {@link hyperion.http.HttpInstrumentation} traces and measures a Jetty 12
 * {@link org.eclipse.jetty.server.Handler} (SERVER spans, W3C extraction, RED metrics) and a {@link
 * java.net.http.HttpClient} (CLIENT spans, W3C injection, metrics) through the {@link hyperion.Tracer}
 * and {@link hyperion.Metrics} ports; {@link hyperion.http.HttpModule} runs a hardened, instrumented
 * Jetty server as a lifecycle component, configured by the {@code http} section ({@link
 * hyperion.http.HttpConfig}). Everything else is package-private. See {@code docs/http.md}.
 */
package hyperion.http;
