package hyperion.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.testkit.RecordingTracer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Schema set-up against the real PostgreSQL on 127.0.0.1:5432 (database {@code test}, trust auth). */
class DatabaseTest {

  @Test
  @Timeout(60)
  void instancesStartingTogetherOnPostgresqlSetUpTheSchemaAndSeedOnce() throws Exception {
    String schema = "demo_db_" + ProcessHandle.current().pid();
    try (Connection c = DriverManager.getConnection(DemoEndToEndTest.PG, "postgres", "");
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      st.execute("CREATE SCHEMA " + schema);
    }
    int instances = 6;
    List<Database> dbs = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      dbs.add(new Database("users", new DemoOptions.Db(DemoEndToEndTest.PG + "?currentSchema=" + schema, "postgres",
          null), new RecordingTracer(),
          List.of("CREATE TABLE IF NOT EXISTS users (id BIGINT PRIMARY KEY, name VARCHAR(200) NOT NULL)",
              "CREATE INDEX IF NOT EXISTS users_name ON users (name)"),
          "SELECT COUNT(*) FROM users",
          List.of("INSERT INTO users (id, name) VALUES (1, 'Ada'), (2, 'Alan'), (3, 'Grace')")));
    }
    ExecutorService pool = Executors.newFixedThreadPool(instances);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<?>> starts = new ArrayList<>();
      for (Database db : dbs) {
        starts.add(pool.submit(() -> {
          go.await();
          db.start();
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : starts) {
        f.get(30, TimeUnit.SECONDS); // without serialization: "duplicate key ... pg_type_typname_nsp_index"
      }
      try (Connection c = DriverManager.getConnection(DemoEndToEndTest.PG + "?currentSchema=" + schema, "postgres",
          ""); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM users")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).as("seeded once").isEqualTo(3);
      }
    } finally {
      pool.shutdownNow();
      dbs.forEach(Database::stop);
      try (Connection c = DriverManager.getConnection(DemoEndToEndTest.PG, "postgres", "");
          Statement st = c.createStatement()) {
        st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
  }
}
