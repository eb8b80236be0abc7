package hyperion.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import hyperion.Hyperion;
import hyperion.config.Config;
import hyperion.redis.Codec;
import hyperion.redis.RedisModule;
import hyperion.redis.testkit.RedisServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** docs/redis.md's snippets run against real Redis; the test-kit snippet is one of these tests. */
class RedisSnippetsTest {

  // docs/redis.md:start
  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();

  @Test
  void aDeadRedisIsAMissNotAnError() {
    try (Hyperion app = Hyperion.start(Config.fromYaml(redis.redisYaml()), new RedisModule())) {
      Cache profiles = app.context().cache("profiles"); // L2 only: no CaffeineModule
      profiles.put("42", "Ada");
      assertThat(profiles.get("42", String.class)).contains("Ada");
      redis.nodes().get(0).kill();                       // SIGKILL
      assertThat(profiles.get("42", String.class)).isEmpty();
      redis.nodes().get(0).restart();
    }
  }
  // docs/redis.md:end

  @Test
  void theCodecSnippetBindsTheCodec() {
    try (Hyperion app = Hyperion.start(Config.fromYaml(redis.redisYaml()), new RedisModule(),
        new RedisSnippets.CodecModule())) {
      assertThat(app.injector().getInstance(Codec.class)).isInstanceOf(RedisSnippets.MyCodec.class);
      Cache c = app.context().cache("codec");
      c.put("k", List.of("a", "b"));
      assertThat(redis.nodes().get(0).call("EXISTS", "hyperion-service:codec:k")).isEqualTo(1L);
    }
  }

  @Test
  @Timeout(120)
  void theMainSnippetRunsUntilSigterm(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("application.yaml"), "service: { name: users }\n" + redis.redisYaml());
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), RedisSnippets.class.getName(), "--config", file.toString()));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("out").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.readString(dir.resolve("out")).contains("started 1 application(s)")) {
        assertThat(p.isAlive()).as("running: " + Files.readString(dir.resolve("out"))).isTrue();
        assertThat(System.nanoTime()).as("started in time").isLessThan(deadline);
        Thread.sleep(50);
      }
      assertThat(redis.nodes().get(0).callString("CLIENT", "LIST")).contains("name=users");
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(Files.readString(dir.resolve("out"))).isZero();
    } finally {
      p.destroyForcibly();
    }
  }
}
