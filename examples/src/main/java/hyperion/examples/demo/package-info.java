/**
 * The multi-service observability demo: {@code gateway} (HTTP 8080) in front of {@code users}
 * (8081) and {@code orders} (8082), each its own Guice injector with the Hyperion adapters. Start it
 * with {@link hyperion.examples.demo.DemoMain}; see {@code docs/demo.md}.
 */
package hyperion.examples.demo;
