package hyperion.http;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Component;
import hyperion.Context;
import hyperion.config.Config;
import hyperion.config.ConfigSection;
import hyperion.config.ConfigSections;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.net.http.HttpClient;

/**
 * Serves the application's Jetty {@link org.eclipse.jetty.server.Handler} on a hardened,
 * instrumented Jetty 12 server started and stopped by the lifecycle, and binds an instrumented
 * {@link HttpClient} as a default (an application that binds its own with {@code
 * OptionalBinder.newOptionalBinder(binder(), HttpClient.class).setBinding()} wins). The
 * application binds the handler:
 *
 * <pre>{@code
 * @Provides Handler routes(UserService users) { ... }   // e.g. a PathMappingsHandler
 * }</pre>
 *
 * <p>Settings come from the {@code http} section ({@link HttpConfig}); see {@code docs/http.md}.
 * Installing it twice is harmless (modules are equal by class).
 */
public final class HttpModule extends AbstractModule {

  /** Creates the module; settings are read from the injected {@link Config}. */
  public HttpModule() {}

  @Override
  protected void configure() {
    ConfigSection.declare(binder(), HttpConfig.SECTION);
    bind(JettyServer.class).in(Singleton.class);
    Multibinder.newSetBinder(binder(), Component.class).addBinding().to(JettyServer.class);
    OptionalBinder.newOptionalBinder(binder(), HttpClient.class).setDefault().toProvider(ClientProvider.class)
        .in(Singleton.class);
  }

  @Provides
  @Singleton
  HttpConfig httpConfig(ConfigSections sections) {
    return sections.get(HttpConfig.SECTION);
  }

  /** The default client: HTTP/1.1 with the configured connect timeout, traced and measured. */
  static final class ClientProvider implements Provider<HttpClient> {
    private final HttpConfig config;
    private final Context ctx;

    @Inject
    ClientProvider(HttpConfig config, Context ctx) {
      this.config = config;
      this.ctx = ctx;
    }

    @Override
    public HttpClient get() {
      return HttpInstrumentation.client(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(config.clientConnectTimeout()).build(), ctx.tracer(), ctx.metrics());
    }
  }

  /** Equal to every other {@code HttpModule}: the settings live in {@link Config}. */
  @Override
  public boolean equals(Object o) {
    return o instanceof HttpModule;
  }

  @Override
  public int hashCode() {
    return HttpModule.class.hashCode();
  }
}
