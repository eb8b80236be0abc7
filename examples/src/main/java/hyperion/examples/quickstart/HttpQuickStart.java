package hyperion.examples.quickstart;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import hyperion.Hyperion;
import hyperion.http.HttpModule;
import hyperion.otel.OtelModule;
import hyperion.prometheus.PrometheusModule;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.Callback;

/** docs/http.md's example, compiled and run by the build (HttpQuickStartTest). */
public final class HttpQuickStart {
  private HttpQuickStart() {}

  // docs/http.md:start
  /** A service's whole main: Jetty on http.port, traced, measured, stopped cleanly on SIGTERM. */
  public static void main(String[] args) {
    Hyperion.run(args, new OtelModule(), new PrometheusModule(), new HttpModule(), new GreetingModule());
  }

  /** Binds the Jetty handler HttpModule serves: routes by URI template, so spans read "GET /hello/{name}". */
  static final class GreetingModule extends AbstractModule {
    @Provides
    Handler routes(HttpClient client) { // the instrumented client: CLIENT spans, traceparent injected
      PathMappingsHandler routes = new PathMappingsHandler();
      routes.addMapping(new UriTemplatePathSpec("/hello/{name}"), new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
          String name = request.getHttpURI().getPath().substring("/hello/".length());
          Content.Sink.write(response, true, "hello " + name, callback);
          return true;
        }
      });
      routes.addMapping(new UriTemplatePathSpec("/relay/{name}"), new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
          URI self = URI.create("http://127.0.0.1:" + Request.getLocalPort(request) + "/hello/"
              + request.getHttpURI().getPath().substring("/relay/".length()));
          String answer = client.send(HttpRequest.newBuilder(self).build(), HttpResponse.BodyHandlers.ofString())
              .body();
          Content.Sink.write(response, true, "relayed: " + answer, callback);
          return true;
        }
      });
      return routes;
    }
  }
  // docs/http.md:end
}
