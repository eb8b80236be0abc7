package hyperion.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import hyperion.redis.testkit.RedisServers;
import hyperion.testkit.LoopbackPorts;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start on the module path: {@link QuickStart} (the README's code, unchanged) is
 * compiled as a named application module (src/test/module-path: its module-info and {@code
 * ModulePathMain}) against the jars this build made, then run in a child {@code java --module-path
 * ... -m}: the service answers through Guice's interception, L1 and Redis, spans reach a Zipkin
 * endpoint, the admin server answers, and SIGTERM stops it cleanly. Hyperion's jars must be real
 * modules that export their API only; a missing {@code requires} or {@code opens} fails here.
 */
class ModulePathQuickStartTest {

  /** What each library module exports, and to whom ("" = everyone). */
  private static final Map<String, Map<String, Set<String>>> EXPORTS = Map.of(
      "hyperion.api", Map.of("hyperion", Set.of(), "hyperion.admin", Set.of(), "hyperion.cache", Set.of(),
          "hyperion.config", Set.of(), "hyperion.lifecycle", Set.of(), "hyperion.internal", Set.of(
              "hyperion.otel", "hyperion.caffeine", "hyperion.redis", "hyperion.prometheus", "hyperion.micrometer",
              "hyperion.http")),
      "hyperion.otel", Map.of("hyperion.otel", Set.of()),
      "hyperion.caffeine", Map.of("hyperion.caffeine", Set.of()),
      "hyperion.redis", Map.of("hyperion.redis", Set.of()),
      "hyperion.prometheus", Map.of("hyperion.prometheus", Set.of()),
      "hyperion.micrometer", Map.of("hyperion.micrometer", Set.of()),
      "hyperion.http", Map.of("hyperion.http", Set.of()));

  @RegisterExtension
  static final RedisServers redis = RedisServers.standalone();

  @Test
  void everyLibraryJarIsAModuleThatExportsItsApiOnly() {
    Map<String, ModuleDescriptor> found = new TreeMap<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      boolean module = Files.isDirectory(path) ? Files.exists(path.resolve("module-info.class"))
          : path.toString().endsWith(".jar") && !path.toString().endsWith("-tests.jar");
      if (!module) {
        continue; // test classes, the examples' own classes, test-jars: not modules
      }
      try {
        for (ModuleReference ref : ModuleFinder.of(path).findAll()) {
          if (ref.descriptor().name().startsWith("hyperion.") && !ref.descriptor().isAutomatic()) {
            found.put(ref.descriptor().name(), ref.descriptor());
          }
        }
      } catch (FindException e) {
        // a third-party jar the module system cannot name; not ours
      }
    }
    assertThat(found.keySet()).containsExactlyInAnyOrderElementsOf(EXPORTS.keySet());
    found.forEach((name, descriptor) -> assertThat(descriptor.exports().stream()
        .collect(Collectors.toMap(ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::targets)))
        .as("exports of %s", name).isEqualTo(EXPORTS.get(name)));
  }

  @Test
  @Timeout(120)
  void theQuickStartRunsOnTheModulePath(@TempDir Path dir) throws Exception {
    String modulePath = modulePath();
    Path classes = compileQuickStartModule(modulePath, dir.resolve("classes"));

    // Span names, decoded as Zipkin does: protobuf3 is the exporter's default encoding.
    List<String> spans = new CopyOnWriteArrayList<>();
    List<String> contentTypes = new CopyOnWriteArrayList<>();
    HttpServer zipkin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    zipkin.createContext("/api/v2/spans", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
        zipkin2.codec.SpanBytesDecoder.PROTO3.decodeList(in.readAllBytes()).forEach(span -> spans.add(span.name()));
      }
      exchange.sendResponseHeaders(202, -1);
      exchange.close();
    });
    zipkin.start();
    RedisClient client = RedisClient.create("redis://" + redis.addresses().get(0));
    try (StatefulRedisPubSubConnection<String, String> bus = client.connectPubSub()) {
      List<String> invalidations = new CopyOnWriteArrayList<>();
      bus.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          invalidations.add(message);
        }
      });
      bus.sync().subscribe("users:invalidations");

      int adminPort = LoopbackPorts.free();
      Path config = dir.resolve("application.yaml");
      Files.writeString(config, """
          service:
            name: users
          tracing:
            exporter: zipkin
            endpoint: http://127.0.0.1:%d/api/v2/spans
          cache:
            users:
              max_entries: 50000
              default_ttl: 10m
          %sadmin:
            port: %d
          """.formatted(zipkin.getAddress().getPort(), redis.redisYaml(), adminPort));
      Path logback = dir.resolve("logback.xml");
      Files.writeString(logback, """
          <configuration>
            <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
              <encoder><pattern>%level %logger - %msg%n</pattern></encoder>
            </appender>
            <root level="INFO"><appender-ref ref="OUT"/></root>
          </configuration>
          """);
      Path output = dir.resolve("output.txt");
      Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Dlogback.configurationFile=" + logback,
          "--module-path", classes + File.pathSeparator + modulePath,
          "-m", "hyperion.examples.quickstart/hyperion.examples.quickstart.ModulePathMain",
          "--config", config.toString())
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      try {
        awaitLine(child, output, "started 1 application(s)");
        HttpClient http = HttpClient.newHttpClient();
        URI admin = URI.create("http://127.0.0.1:" + adminPort);
        assertThat(http.send(HttpRequest.newBuilder(admin.resolve("/health/ready")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(admin.resolve("/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body()).contains("jvm_memory_used_bytes", "hyperion_redis_connected 1.0");
        child.destroy(); // SIGTERM
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
      } finally {
        child.destroyForcibly();
      }
      String out = Files.readString(output);
      assertThat(child.exitValue()).as(out).isZero();
      assertThat(out).contains(
          "modules: hyperion.examples.quickstart hyperion.api hyperion.redis", // named modules, not the class path
          "intercepted: true",
          "get 1: User[id=1, name=Ada]",
          "after rename: User[id=1, name=Ada Lovelace]",
          "get 2: null",
          "stopped cleanly");
      assertThat(out.lines().filter(l -> l.startsWith("WARN") || l.startsWith("ERROR") || l.contains("Exception")))
          .as(out).isEmpty();
      // L2: the renamed user, written through Jackson, is in Redis; the other instances were told.
      assertThat(client.connect().sync().get("users:users:1")).contains("Ada Lovelace");
      assertThat(invalidations).anySatisfy(m -> assertThat(m).contains("\"users\"", "\"1\""));
      // Zipkin lower-cases span names.
      assertThat(spans).contains("userservice.get", "userservice.rename");
      assertThat(contentTypes).isNotEmpty().containsOnly("application/x-protobuf");
    } finally {
      client.shutdown();
      zipkin.stop(0);
    }
  }

  /**
   * The examples' run-time dependencies (target/runtime-path.txt, from maven-dependency-plugin), which
   * include Hyperion's jars as this build made them.
   */
  private static String modulePath() throws IOException {
    Path file = Path.of("target", "runtime-path.txt");
    assertThat(file).as("written by maven-dependency-plugin; run through Maven").exists();
    return Files.readString(file).trim();
  }

  /**
   * Compiles the quick start module: README's QuickStart.java plus src/test/module-path, against
   * {@code modulePath} minus Guava's error_prone_annotations: zipkin's jar carries two of its
   * classes, a package javac does not allow in two modules (docs/architecture.md#java-modules).
   */
  private static Path compileQuickStartModule(String modulePath, Path out) throws IOException {
    Path module = Path.of("src", "test", "module-path");
    String compilePath = Stream.of(modulePath.split(File.pathSeparator))
        .filter(p -> !Path.of(p).getFileName().toString().startsWith("error_prone_annotations-"))
        .collect(Collectors.joining(File.pathSeparator));
    List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--module-path", compilePath, "-parameters",
        "-Xlint:all", "-Werror"));
    try (Stream<Path> sources = Files.walk(module)) {
      sources.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
    }
    args.add(Path.of("src", "main", "java", "hyperion", "examples", "quickstart", "QuickStart.java").toString());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac.run(null, null, null, args.toArray(String[]::new))).as("javac %s", args).isZero();
    return out;
  }

  private static void awaitLine(Process child, Path output, String line) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.readString(output).contains(line)) {
      assertThat(child.isAlive()).as("child exited early:\n%s", Files.readString(output)).isTrue();
      assertThat(System.nanoTime()).as("'%s' within 60 s:\n%s", line, Files.readString(output)).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
