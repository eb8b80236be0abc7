package hyperion.examples.demo;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import hyperion.CachePut;
import hyperion.Cached;
import hyperion.Component;
import hyperion.Context;
import hyperion.Span;
import hyperion.Tracer;
import hyperion.examples.demo.Model.User;
import hyperion.examples.demo.Model.UserUpdate;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.jetty.server.Handler;

/**
 * The {@code users} service: {@code GET /users/{id}} and {@code PUT /users/{id}} over its own
 * {@code users} table, read through the {@code users} cache with {@code @Cached} (a TieredCache when
 * Caffeine and Redis are installed); an update writes the new value through with {@code @CachePut},
 * which invalidates the other instances' L1 copies over the invalidation bus. Served by {@code
 * HttpModule}.
 */
final class UsersModule extends AbstractModule {
  private final DemoOptions.Db db;

  UsersModule(DemoOptions.Db db) {
    this.db = db;
  }

  @Override
  protected void configure() {
    Multibinder.newSetBinder(binder(), Component.class).addBinding().to(Database.class);
    bind(UsersService.class);
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
  Handler routes(UsersService users) {
    return new Routes()
        .get("/users/{id}", call -> {
          long id = call.longParam("id");
          User user = users.find(id);
          if (user == null) {
            throw new HttpError(404, "user " + id + " not found");
          }
          return user;
        })
        .put("/users/{id}", call -> users.update(call.longParam("id"), call.json(UserUpdate.class).validated()))
        .handler();
  }

  /** The users table behind the {@code users} cache (key: the id). */
  static class UsersService {
    private final Database db;
    private final Tracer tracer;

    @Inject
    UsersService(Database db, Context ctx) {
      this.db = db;
      this.tracer = ctx.tracer();
    }

    /** L1 -> L2 -> the table, one query per id however many requests ask; {@code null} (404) is cached for negative_ttl. */
    @Cached(cache = "users", key = "{id}")
    User find(long id) {
      return UsersModule.find(db, id);
    }

    /** Updates the row and writes the new user through the cache; other instances evict their L1 copy. */
    @CachePut(cache = "users", key = "{id}")
    User update(long id, UserUpdate update) {
      try (Span span = tracer.start("UsersService.update")) {
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
          throw new HttpError(404, "user " + id + " not found"); // thrown: nothing is written to the cache
        }
        return UsersModule.find(db, id);
      }
    }
  }

  private static User find(Database db, long id) {
    List<User> rows = db.query("SELECT", "users", "SELECT id, name, email, version FROM users WHERE id = ?",
        ps -> ps.setLong(1, id),
        rs -> new User(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
    return rows.isEmpty() ? null : rows.get(0);
  }
}
