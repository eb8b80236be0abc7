package hyperion.examples.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import hyperion.Component;
import hyperion.Span;
import hyperion.SpanKind;
import hyperion.Tracer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's own database: a HikariCP pool (a {@link Component} in {@link
 * Component#PHASE_CLIENTS}, closed after the HTTP server has drained), the schema and seed data
 * created at start-up, and traced statements: each one is a CLIENT span with the OpenTelemetry
 * database attributes ({@code db.system.name}, {@code db.operation.name}, {@code
 * db.collection.name}, {@code db.query.text} with {@code ?} placeholders, never the values).
 */
final class Database implements Component {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** Binds statement parameters. */
  @FunctionalInterface
  interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /** Maps one row. */
  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  private final String service;
  private final DemoOptions.Db settings;
  private final Tracer tracer;
  private final List<String> schema;
  private final String seedCheck;
  private final List<String> seed;
  private final String system;
  private volatile HikariDataSource pool;

  Database(String service, DemoOptions.Db settings, Tracer tracer, List<String> schema, String seedCheck,
      List<String> seed) {
    this.service = service;
    this.settings = settings;
    this.tracer = tracer;
    this.schema = schema;
    this.seedCheck = seedCheck;
    this.seed = seed;
    String url = settings.url().toLowerCase(Locale.ROOT);
    this.system = url.startsWith("jdbc:postgresql:") ? "postgresql" : url.startsWith("jdbc:h2:") ? "h2" : "other_sql";
  }

  @Override
  public String name() {
    return "database(" + service + ")";
  }

  @Override
  public int phase() {
    return PHASE_CLIENTS;
  }

  @Override
  public void start() throws SQLException {
    HikariConfig c = new HikariConfig();
    c.setPoolName(service + "-db");
    c.setJdbcUrl(settings.url());
    if (settings.user() != null) {
      c.setUsername(settings.user());
    }
    if (settings.password() != null) {
      c.setPassword(settings.password());
    }
    c.setMaximumPoolSize(8);
    c.setMinimumIdle(1);
    c.setConnectionTimeout(3_000);
    c.setValidationTimeout(1_000);
    c.setMaxLifetime(1_800_000);
    c.setIdleTimeout(300_000);
    c.setAutoCommit(true);
    pool = new HikariDataSource(c);
    try (Connection con = pool.getConnection(); Statement st = con.createStatement()) {
      // Instances of one service may start together, and PostgreSQL's CREATE TABLE IF NOT EXISTS is
      // not safe under concurrency: there, schema and seed run in one transaction that holds an
      // advisory lock, so instances set up one at a time (and DDL is transactional).
      boolean serialized = system.equals("postgresql");
      if (serialized) {
        con.setAutoCommit(false);
        try (PreparedStatement lock = con.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
          lock.setString(1, "hyperion-demo-schema:" + service);
          lock.execute();
        }
      }
      try {
        createAndSeed(st);
        if (serialized) {
          con.commit();
        }
      } catch (SQLException | RuntimeException e) {
        if (serialized) {
          con.rollback();
        }
        throw e;
      } finally {
        if (serialized) {
          con.setAutoCommit(true);
        }
      }
    }
    LOG.info("{}: database {} ready ({})", service, system, redact(settings.url()));
  }

  private void createAndSeed(Statement st) throws SQLException {
    for (String ddl : schema) {
      st.execute(ddl);
    }
    boolean empty;
    try (ResultSet rs = st.executeQuery(seedCheck)) {
      empty = rs.next() && rs.getLong(1) == 0;
    }
    if (empty) {
      for (String row : seed) {
        st.execute(row);
      }
      LOG.info("{}: seeded {} rows", service, seed.size());
    }
  }

  @Override
  public void stop() {
    HikariDataSource p = pool;
    if (p != null) {
      p.close();
      LOG.info("{}: connection pool closed", service);
    }
  }

  /** Runs a query and maps every row. */
  <T> List<T> query(String operation, String table, String sql, Binder binder, RowMapper<T> mapper) {
    try (Span span = span(operation, table, sql)) {
      try (Connection con = pool.getConnection(); PreparedStatement ps = con.prepareStatement(sql)) {
        binder.bind(ps);
        List<T> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.add(mapper.map(rs));
          }
        }
        span.setAttribute("db.response.returned_rows", (long) rows.size());
        return rows;
      } catch (SQLException e) {
        throw failure(span, e);
      }
    }
  }

  /** Runs an update; returns the affected row count. */
  int update(String operation, String table, String sql, Binder binder) {
    try (Span span = span(operation, table, sql)) {
      try (Connection con = pool.getConnection(); PreparedStatement ps = con.prepareStatement(sql)) {
        binder.bind(ps);
        return ps.executeUpdate();
      } catch (SQLException e) {
        throw failure(span, e);
      }
    }
  }

  /** Runs an insert and returns the generated key (the first column of the generated keys). */
  long insert(String table, String sql, Binder binder) {
    try (Span span = span("INSERT", table, sql)) {
      try (Connection con = pool.getConnection();
          PreparedStatement ps = con.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
        binder.bind(ps);
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          if (!keys.next()) {
            throw new SQLException("no generated key");
          }
          return keys.getLong(1);
        }
      } catch (SQLException e) {
        throw failure(span, e);
      }
    }
  }

  private Span span(String operation, String table, String sql) {
    return tracer.spanBuilder(operation + " " + table)
        .kind(SpanKind.CLIENT)
        .attribute("db.system.name", system)
        .attribute("db.operation.name", operation)
        .attribute("db.collection.name", table)
        .attribute("db.query.text", sql)
        .start();
  }

  /**
   * Never the SQL text or the driver's message in an answer: a constraint violation (SQLSTATE class
   * 23) is a 409, a value the column cannot hold (class 22, which validation should have caught) a
   * 422, anything else means the database is unavailable (503). The details go to the log.
   */
  private RuntimeException failure(Span span, SQLException e) {
    span.recordError(e);
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    span.setAttribute("error.type", state.isEmpty() ? e.getClass().getName() : state);
    if (state.startsWith("23")) {
      return new HttpError(409, "the change conflicts with existing data");
    }
    if (state.startsWith("22")) {
      return new HttpError(422, "a value is out of range for its field");
    }
    LOG.warn("{}: database call failed (SQLSTATE {})", service, state, e);
    return new HttpError(503, service + " database unavailable");
  }

  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
