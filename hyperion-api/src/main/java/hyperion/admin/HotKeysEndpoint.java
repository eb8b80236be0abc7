package hyperion.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import hyperion.CacheManager;
import hyperion.HotKey;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /cache/hotkeys}: the most requested keys of each cache with {@code hot_keys}, as JSON
 * ({@code {"users": [{"key": "u1", "requests": 1234}, ...]}}), also logged at INFO, since the
 * request is an operator's.
 */
final class HotKeysEndpoint implements Provider<AdminEndpoint> {
  private static final Logger LOG = System.getLogger(HotKeysEndpoint.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  // The cache manager needs the metrics the admin server may expose: a Provider keeps the order free.
  private final Provider<CacheManager> caches;

  @Inject
  HotKeysEndpoint(Provider<CacheManager> caches) {
    this.caches = caches;
  }

  @Override
  public AdminEndpoint get() {
    return new AdminEndpoint("/cache/hotkeys", x -> {
      Map<String, List<HotKey>> top = caches.get().hotKeys();
      top.forEach((cache, keys) -> LOG.log(Level.INFO, "hot keys of cache ''{0}'': {1}", cache, keys));
      AdminServer.respond(x, 200, AdminServer.JSON, JSON.writeValueAsString(top));
    });
  }
}
