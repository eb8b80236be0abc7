/**
 * {@code RedisModule}: the shared cache layer (L2) and the invalidation bus over Lettuce. Only
 * {@code hyperion.redis} is exported; it is opened to Guice, which constructs its package-private
 * classes, and to Jackson, which writes the bus's package-private message record.
 */
// Lettuce publishes an automatic module with a stable Automatic-Module-Name (lettuce.core).
@SuppressWarnings("requires-automatic")
module hyperion.redis {
  requires transitive hyperion.api;
  requires lettuce.core;
  // Lettuce runs on Netty, but as an automatic module it cannot require it: resolve Netty on its behalf.
  requires io.netty.handler;
  requires io.netty.buffer; // StringBytesCodec writes keys and values straight into Lettuce's buffers
  requires io.netty.resolver.dns;
  requires jdk.net; // Lettuce's TCP keep-alive options (jdk.net.ExtendedSocketOptions), as on the class path
  requires com.fasterxml.jackson.annotation;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jdk8;
  requires com.fasterxml.jackson.datatype.jsr310;

  exports hyperion.redis;

  opens hyperion.redis to com.google.guice, com.fasterxml.jackson.databind;
}
