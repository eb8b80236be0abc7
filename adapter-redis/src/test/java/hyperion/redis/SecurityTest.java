package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Cache;
import hyperion.HealthCheck;
import hyperion.Hyperion;
import hyperion.SpanKind;
import hyperion.Tracer;
import hyperion.config.Config;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.RecordingTracer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** ACL users, TLS, and that credentials never leak into health output, config strings or spans. */
class SecurityTest {
  static final String PASSWORD = "pw-Zq81-secret";

  @Nested
  class Acl {
    @Test
    void anAclUserWithItsPasswordWorksAndAWrongPasswordDegradesWithoutLeaking() throws Exception {
      try (RedisServers redis = RedisServers.standalone().withAclUser("app", PASSWORD)) {
        redis.start();
        RecordingTracer tracer = new RecordingTracer();
        try (Hyperion app = RedisTesting.start(RedisTesting.yaml(redis), null, tracerModule(tracer))) {
          Cache c = RedisTesting.l2(app).cache("acl");
          c.put("k", "v");
          assertThat(c.get("k", String.class)).contains("v");
          assertThat(redis.nodes().get(0).callString("ACL", "WHOAMI")).isEqualTo("app");
          HealthCheck.Result health = app.injector().getInstance(RedisHealthCheck.class).check();
          assertThat(health.healthy()).isTrue();
          assertThat(health.message()).doesNotContain(PASSWORD);
          var span = tracer.finished("cache.l2.get");
          assertThat(span.kind).isEqualTo(SpanKind.CLIENT);
          assertThat(span.attributes).containsEntry("db.system.name", "redis")
              .containsEntry("cache.operation", "get").containsEntry("db.namespace", "0")
              .containsEntry("server.address", "127.0.0.1")
              .containsEntry("server.port", (long) redis.nodes().get(0).port());
          assertThat(tracer.finished()).allSatisfy(s -> assertThat(s.attributes.toString())
              .doesNotContain(PASSWORD).doesNotContain("\"v\""));
        }
        String wrong = RedisTesting.yaml(redis).replace(PASSWORD, "wrong-password");
        try (Hyperion app = RedisTesting.start(wrong, null)) {
          Cache c = RedisTesting.l2(app).cache("acl");
          c.put("k2", "v"); // dropped, never thrown
          assertThat(c.get("k", String.class)).isEmpty();
          HealthCheck.Result health = app.injector().getInstance(RedisHealthCheck.class).check();
          assertThat(health.healthy()).isFalse();
          assertThat(health.message()).doesNotContain("wrong-password");
          assertThat(app.injector().getInstance(RedisConfig.class).toString()).doesNotContain("wrong-password");
          assertThat(app.injector().getInstance(Config.class).toString()).doesNotContain("wrong-password");
        }
      }
    }

    @Test
    void requirepassForTheDefaultUser() throws Exception {
      try (RedisServers redis = RedisServers.standalone().withPassword(PASSWORD)) {
        redis.start();
        try (Hyperion app = RedisTesting.start(redis)) {
          Cache c = RedisTesting.l2(app).cache("pw");
          c.put("k", 7L);
          assertThat(c.get("k", Long.class)).contains(7L);
        }
      }
    }
  }

  @Nested
  class Tls {
    @Test
    void tlsWithAPrivateCa() throws Exception {
      assumeTrue(RedisServers.tlsAvailable(), "redis-server here is not built with TLS");
      try (RedisServers redis = RedisServers.standalone().withTls()) {
        redis.start();
        try (Hyperion app = RedisTesting.start(redis)) {
          Cache c = RedisTesting.l2(app).cache("tls");
          c.put("k", "over-tls");
          assertThat(c.get("k", String.class)).contains("over-tls");
          assertThat(app.injector().getInstance(RedisHealthCheck.class).check().healthy()).isTrue();
        }
        // Without the CA the server certificate is not trusted: the cache degrades, health is down.
        String untrusted = RedisTesting.yaml(redis).replaceAll("(?m)^  tls_ca_file: .*\n", "");
        try (Hyperion app = RedisTesting.start(untrusted, null)) {
          assertThat(RedisTesting.l2(app).cache("tls").get("k", String.class)).isEmpty();
          assertThat(app.injector().getInstance(RedisHealthCheck.class).check().healthy()).isFalse();
        }
      }
    }
  }

  static AbstractModule tracerModule(Tracer tracer) {
    return new AbstractModule() {
      @Override
      protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), Tracer.class).setBinding().toInstance(tracer);
      }
    };
  }
}
