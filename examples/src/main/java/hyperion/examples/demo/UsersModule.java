package hyperion.examples.demo;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import hyperion.Cache;
import hyperion.Component;
import hyperion.Context;
import hyperion.Span;
import hyperion.examples.demo.Model.User;
import hyperion.examples.demo.Model.UserUpdate;
import java.util.List;
import org.eclipse.jetty.server.Handler;

/**
 * The {@code users} service: {@code GET /users/{id}} and {@code PUT /users/{id}} over its own
 * {@code users} table, read through {@code Context.cache("users")} (a TieredCache when Caffeine and
 * Redis are installed); an update writes the new value through, which invalidates the other
 * instances' L1 copies over the invalidation bus. Served by {@code HttpModule}.
 */
final class UsersModule extends AbstractModule {
  private final DemoOptions.Db db;

  UsersModule(DemoOptions.Db db) {
    this.db = db;
  }

  @Override
  protected void configure() {
    Multibinder.newSetBinder(binder(), Component.class).addBinding().to(Database.class);
  }

  @Provides
  @Singleton
  Database database(Context ctx) {
    return new Database("users", db.forService("users"), ctx.tracer(),
        List.of("CREATE TABLE IF NOT EXISTS users (id BIGINT PRIMARY KEY, name VARCHAR(200) NOT NULL,"
            + " email VARCHAR(200) NOT NULL UNIQUE, version BIGINT NOT NULL)"),
        "SELECT COUNT(*) FROM users",
        List.of("INSERT INTO users (id, name, email, version) VALUES"
            + " (1, 'Ada Lovelace', 'ada@example.org', 1), (2, 'Alan Turing', 'alan@example.org', 1),"
            + " (3, 'Grace Hopper', 'grace@example.org', 1), (4, 'Edsger Dijkstra', 'edsger@example.org', 1),"
            + " (5, 'Barbara Liskov', 'barbara@example.org', 1)"));
  }

  @Provides
  @Singleton
  Handler routes(Context ctx, Database db) {
    Cache cache = ctx.cache("users");
    return new Routes()
        .get("/users/{id}", call -> {
          long id = call.longParam("id");
          User user = cache.getOrLoad(Long.toString(id), User.class, null, key -> find(db, id));
          if (user == null) {
            throw new HttpError(404, "user " + id + " not found");
          }
          return user;
        })
        .put("/users/{id}", call -> {
          long id = call.longParam("id");
          UserUpdate update = call.json(UserUpdate.class).validated();
          try (Span span = ctx.tracer().start("UsersService.update")) {
            span.setAttribute("user.id", id);
            int rows;
            try {
              rows = db.update("UPDATE", "users",
                  "UPDATE users SET name = ?, email = ?, version = version + 1 WHERE id = ?", ps -> {
                    ps.setString(1, update.name());
                    ps.setString(2, update.email());
                    ps.setLong(3, id);
                  });
            } catch (HttpError e) {
              throw e.status == 409 ? new HttpError(409, "email " + update.email() + " belongs to another user") : e;
            }
            if (rows == 0) {
              throw new HttpError(404, "user " + id + " not found");
            }
            User fresh = find(db, id);
            cache.put(Long.toString(id), fresh); // write-through; other instances evict their L1 copy
            return fresh;
          }
        })
        .handler();
  }

  private static User find(Database db, long id) {
    List<User> rows = db.query("SELECT", "users", "SELECT id, name, email, version FROM users WHERE id = ?",
        ps -> ps.setLong(1, id),
        rs -> new User(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
    return rows.isEmpty() ? null : rows.get(0);
  }
}
