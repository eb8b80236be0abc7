package hyperion.examples.demo;

import java.math.BigDecimal;
import java.util.List;

/** The demo's immutable values; records, so L1 can hold them without copies. */
final class Model {
  private Model() {}

  /** The longest name, email and item the tables hold. */
  static final int MAX_TEXT = 200;
  /** The largest order amount accepted. */
  static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000.00");

  /** A user row. */
  record User(long id, String name, String email, long version) {}

  /** The body of {@code PUT /users/{id}}. */
  record UserUpdate(String name, String email) {
    /** 422 unless the name is 1-200 characters and the email looks like one, up to 200. */
    UserUpdate validated() {
      text("name", name);
      text("email", email);
      int at = email.indexOf('@');
      if (at <= 0 || at != email.lastIndexOf('@') || at == email.length() - 1 || email.chars().anyMatch(
          Character::isWhitespace)) {
        throw new HttpError(422, "email must be one address like name@example.org");
      }
      return this;
    }
  }

  /** An order row. */
  record Order(long id, long userId, String item, BigDecimal amount) {}

  /** The body of {@code POST /orders}. */
  record NewOrder(Long userId, String item, BigDecimal amount) {
    /** 422 unless userId is positive, item 1-200 characters and amount in (0, 1000000.00] with at most 2 decimals. */
    NewOrder validated() {
      if (userId == null || userId <= 0) {
        throw new HttpError(422, "userId must be a positive whole number");
      }
      text("item", item);
      if (amount == null || amount.signum() <= 0) {
        throw new HttpError(422, "amount must be a number greater than 0");
      }
      if (amount.compareTo(MAX_AMOUNT) > 0) {
        throw new HttpError(422, "amount must be at most " + MAX_AMOUNT.toPlainString());
      }
      if (amount.stripTrailingZeros().scale() > 2) {
        throw new HttpError(422, "amount must have at most 2 decimal places");
      }
      return this;
    }
  }

  /** A user's orders, cached as one value. */
  record OrderList(long userId, List<Order> orders) {}

  /** The gateway's answer to {@code GET /users/{id}/orders}. */
  record UserWithOrders(User user, List<Order> orders) {}

  private static void text(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new HttpError(422, field + " must not be empty");
    }
    if (value.length() > MAX_TEXT) {
      throw new HttpError(422, field + " must be at most " + MAX_TEXT + " characters, got " + value.length());
    }
  }
}
