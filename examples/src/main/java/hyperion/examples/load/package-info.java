/**
 * The {@code load} command: drives the demo's gateway with a bounded, loopback-only workload and
 * then proves that the observability pipeline saw exactly that traffic (request counters, error
 * counts, exported spans). Entry point: {@link hyperion.examples.load.LoadMain}.
 */
package hyperion.examples.load;
