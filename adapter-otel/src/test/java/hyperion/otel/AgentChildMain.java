package hyperion.otel;

import com.sun.net.httpserver.HttpServer;
import hyperion.Hyperion;
import hyperion.Span;
import hyperion.Tracer;
import hyperion.config.Config;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.slf4j.LoggerFactory;

/**
 * The service of {@link OpenTelemetryAgentTest}, run in a JVM started with the OpenTelemetry Java
 * agent: one Hyperion span around a log line, a JDBC query (H2) and an HTTP call to a loopback
 * server whose handler starts a second Hyperion span, all instrumented by the agent. Prints {@code
 * SDK global|own}, then {@code SPAN <trace id> <span id>}.
 */
public final class AgentChildMain {
  private AgentChildMain() {}

  /** Entry point: {@code AgentChildMain <hyperion yaml>}. */
  public static void main(String[] args) throws Exception {
    try (Hyperion app = Hyperion.start(Config.fromYaml(args[0]), new OtelModule())) {
      System.out.println("SDK " + (app.injector().getInstance(TracingRuntime.class).usesGlobal() ? "global" : "own"));
      Tracer tracer = app.context().tracer();
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
      server.createContext("/ping", exchange -> {
        // Inside the agent's server span: a Hyperion span here is its child.
        try (exchange; Span handler = tracer.start("hyperion-handler")) {
          exchange.sendResponseHeaders(204, -1);
        }
      });
      server.start();
      try (Span span = tracer.start("hyperion-operation")) {
        LoggerFactory.getLogger("agent-child").info("inside the hyperion span");
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:agent");
            Statement s = c.createStatement()) {
          s.execute("CREATE TABLE orders(id INT)");
          try (ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
          }
        }
        HttpClient http = HttpClient.newHttpClient();
        int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
            + "/ping")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        System.out.println("HTTP " + status);
        System.out.println("SPAN " + span.traceId() + " " + span.spanId());
      } finally {
        server.stop(0);
      }
    }
    System.out.flush();
  }
}
