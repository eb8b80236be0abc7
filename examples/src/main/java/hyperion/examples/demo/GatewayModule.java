package hyperion.examples.demo;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import hyperion.Cache;
import hyperion.Context;
import hyperion.Tracer;
import hyperion.examples.demo.Model.Order;
import hyperion.examples.demo.Model.OrderList;
import hyperion.examples.demo.Model.User;
import hyperion.examples.demo.Model.UserWithOrders;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.Handler;

/**
 * The {@code gateway}: the public API in front of {@code users} and {@code orders}. Hot reads of
 * users are kept in {@code Context.cache("gateway")} (L1 only: the gateway installs no Redis
 * module) for {@code cache.gateway.default_ttl}; {@code GET /users/{id}/orders} calls both
 * services in parallel. Writes are passed through with their JSON body; users and orders validate
 * them, and their 4xx answers come back with the same status.
 */
final class GatewayModule extends AbstractModule {
  private final List<URI> users;
  private final List<URI> orders;

  GatewayModule(List<URI> users, List<URI> orders) {
    this.users = users;
    this.orders = orders;
  }

  @Provides
  @Singleton
  Handler routes(Context ctx, HttpClient client) {
    Tracer tracer = ctx.tracer();
    Upstream usersApi = new Upstream("users", users, client);
    Upstream ordersApi = new Upstream("orders", orders, client);
    Cache hot = ctx.cache("gateway");
    ExecutorService fanOut = tracer.wrap(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "gateway-fanout");
      t.setDaemon(true);
      return t;
    }));
    return new Routes()
        .get("/users/{id}", call -> user(hot, usersApi, call.longParam("id")))
        .get("/users/{id}/orders", call -> {
          long id = call.longParam("id");
          // orders in parallel; the user on this thread, usually a hit in the gateway's own L1
          CompletableFuture<OrderList> list = CompletableFuture.supplyAsync(
              () -> ordersApi.get("orders?user_id=" + id, OrderList.class), fanOut);
          try {
            User user = user(hot, usersApi, id);
            return new UserWithOrders(user, list.join().orders());
          } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
          } finally {
            list.cancel(false); // nobody waits for it after a failure here
          }
        })
        .put("/users/{id}", call -> {
          long id = call.longParam("id");
          User updated = usersApi.send("PUT", "users/" + id, call.body(), User.class);
          hot.delete(Long.toString(id));
          return updated;
        })
        .post("/orders", call -> new Routes.Reply(201, ordersApi.send("POST", "orders", call.body(), Order.class)))
        .handler();
  }

  private static User user(Cache hot, Upstream usersApi, long id) {
    return hot.getOrLoad(Long.toString(id), User.class, null, key -> usersApi.get("users/" + id, User.class));
  }

  @Override
  protected void configure() {}
}
