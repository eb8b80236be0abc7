package hyperion.examples.demo;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import hyperion.Cache;
import hyperion.Component;
import hyperion.Context;
import hyperion.Tracer;
import hyperion.examples.demo.Model.NewOrder;
import hyperion.examples.demo.Model.Order;
import hyperion.examples.demo.Model.OrderList;
import hyperion.examples.demo.Model.User;
import hyperion.examples.demo.Model.UserUpdate;
import hyperion.examples.demo.Model.UserWithOrders;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@code gateway}: the public API in front of {@code users} and {@code orders}. Hot reads of
 * users are kept in the gateway's own L1 (Caffeine, never L2) for a short TTL; {@code GET
 * /users/{id}/orders} calls both services in parallel, each call a CLIENT span with the W3C context
 * injected.
 */
final class GatewayModule extends AbstractModule {
  private final DemoOptions options;
  private final int port;
  private final List<URI> users;
  private final List<URI> orders;

  GatewayModule(DemoOptions options, int port, List<URI> users, List<URI> orders) {
    this.options = options;
    this.port = port;
    this.users = users;
    this.orders = orders;
  }

  @Override
  protected void configure() {
    Multibinder.newSetBinder(binder(), Component.class).addBinding().to(HttpService.class);
  }

  @Provides
  @Singleton
  HttpService server(Context ctx) {
    Tracer tracer = ctx.tracer();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
        .version(HttpClient.Version.HTTP_1_1).build();
    Upstream usersApi = new Upstream("users", users, client, tracer);
    Upstream ordersApi = new Upstream("orders", orders, client, tracer);
    // cache.gateway.layers is l1: the gateway's own per-instance copy, never in Redis (DemoOptions.yaml).
    Optional<Cache> hot = Optional.of(ctx.cache("gateway"));
    Duration ttl = options.gatewayTtl();
    ExecutorService fanOut = tracer.wrap(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "gateway-fanout");
      t.setDaemon(true);
      return t;
    }));

    HttpService http = new HttpService("gateway", options.host(), port, options.shutdownTimeout().dividedBy(2),
        tracer, ctx.metrics());
    http.route("GET", "/users/{id}", req -> user(hot, ttl, usersApi, req.longParam("id")));
    http.route("GET", "/users/{id}/orders", req -> {
      long id = req.longParam("id");
      CompletableFuture<User> user = CompletableFuture.supplyAsync(() -> user(hot, ttl, usersApi, id), fanOut);
      CompletableFuture<OrderList> list = CompletableFuture.supplyAsync(
          () -> ordersApi.get("/orders", "orders?user_id=" + id, OrderList.class), fanOut);
      try {
        return new UserWithOrders(user.join(), list.join().orders());
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    });
    http.route("PUT", "/users/{id}", req -> {
      long id = req.longParam("id");
      User updated = usersApi.send("PUT", "/users/{id}", "users/" + id, Json.read(req.body(), UserUpdate.class),
          User.class);
      hot.ifPresent(c -> c.delete(Long.toString(id)));
      return updated;
    });
    http.route("POST", "/orders", req -> {
      NewOrder in = Json.read(req.body(), NewOrder.class);
      user(hot, ttl, usersApi, in.userId()); // 404 for an unknown user
      return new HttpService.Response(201, ordersApi.send("POST", "/orders", "orders", in, Order.class));
    });
    return http;
  }

  private static User user(Optional<Cache> hot, Duration ttl, Upstream usersApi, long id) {
    if (hot.isEmpty()) {
      return usersApi.get("/users/{id}", "users/" + id, User.class);
    }
    return hot.get().getOrLoad(Long.toString(id), User.class, ttl,
        key -> usersApi.get("/users/{id}", "users/" + id, User.class));
  }
}
