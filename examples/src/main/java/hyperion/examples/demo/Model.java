package hyperion.examples.demo;

import java.math.BigDecimal;
import java.util.List;

/** The demo's immutable values; records, so L1 can hold them without copies. */
final class Model {
  private Model() {}

  /** A user row. */
  record User(long id, String name, String email, long version) {}

  /** The body of {@code PUT /users/{id}}. */
  record UserUpdate(String name, String email) {}

  /** An order row. */
  record Order(long id, long userId, String item, BigDecimal amount) {}

  /** The body of {@code POST /orders}. */
  record NewOrder(long userId, String item, BigDecimal amount) {}

  /** A user's orders, cached as one value. */
  record OrderList(long userId, List<Order> orders) {}

  /** The gateway's answer to {@code GET /users/{id}/orders}. */
  record UserWithOrders(User user, List<Order> orders) {}
}
