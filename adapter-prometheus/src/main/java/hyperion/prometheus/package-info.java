/**
 * The Prometheus adapter: {@link hyperion.prometheus.PrometheusModule} binds the {@link
 * hyperion.Metrics} port to client_java 1.x and serves the admin endpoints; {@link
 * hyperion.prometheus.MetricsConfig} is its {@code metrics} configuration section. Everything
 * else is package-private. See {@code docs/metrics.md}.
 */
package hyperion.prometheus;
