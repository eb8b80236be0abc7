/**
 * Helpers shared by Hyperion's own modules. Not API: no compatibility promise, and on the module
 * path the package is exported to Hyperion's adapter modules only.
 */
package hyperion.internal;
