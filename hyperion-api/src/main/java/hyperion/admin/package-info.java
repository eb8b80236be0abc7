/**
 * The admin HTTP server: the health probes ({@code /health/live}, {@code /health/ready}, {@code
 * /health/started}) with or without a metrics adapter, and the endpoints modules add to it (the
 * Prometheus adapter's {@code /metrics}). Install {@link hyperion.admin.AdminModule}; settings come
 * from the {@code admin} section ({@link hyperion.admin.AdminConfig}).
 */
package hyperion.admin;
