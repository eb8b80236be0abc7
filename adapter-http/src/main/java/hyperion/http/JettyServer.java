package hyperion.http;

import hyperion.Component;
import hyperion.Metrics;
import hyperion.Tracer;
import hyperion.config.Config;
import hyperion.config.ConfigException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The application's Jetty server, a {@link Component} in {@link Component#PHASE_SERVERS}: started
 * last, stopped first. Handler chain: graceful shutdown, then {@link HttpInstrumentation#server},
 * then the body size limit, then the application's handler. Stopping answers new requests 503
 * with {@code Connection: close} and waits for in-flight ones, up to half of {@code
 * service.shutdown_timeout}.
 */
@Singleton
final class JettyServer implements Component {
  private static final Logger LOG = System.getLogger(JettyServer.class.getName());

  private final HttpConfig config;
  private final String service;
  private final long drainMillis;
  private final Handler application;
  private final Tracer tracer;
  private final Metrics metrics;
  private volatile Server server;

  @Inject
  JettyServer(HttpConfig config, Config root, Handler application, Tracer tracer, Metrics metrics) {
    this.config = config;
    this.service = root.service().name();
    this.drainMillis = Math.max(1, root.service().shutdownTimeout().toMillis() / 2);
    this.application = application;
    this.tracer = tracer;
    this.metrics = metrics;
  }

  @Override
  public String name() {
    return "http-server";
  }

  @Override
  public int phase() {
    return PHASE_SERVERS;
  }

  @Override
  public synchronized void start() throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool(config.maxThreads(), Math.min(8, config.maxThreads()));
    threads.setName(service + "-http");
    Server s = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(config.maxRequestHeaderBytes());
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    ServerConnector connector = new ServerConnector(s, new HttpConnectionFactory(http));
    connector.setHost(config.host());
    connector.setPort(config.port());
    connector.setIdleTimeout(config.idleTimeout().toMillis());
    connector.setAcceptedTcpNoDelay(true); // no Nagle + delayed-ACK stall on keep-alive responses
    s.addConnector(connector);
    s.addBean(new NetworkConnectionLimit(config.maxConnections(), s));
    Handler limited = new SizeLimitHandler(config.maxRequestBodyBytes(), -1);
    ((SizeLimitHandler) limited).setHandler(application);
    s.setHandler(new GracefulHandler(HttpInstrumentation.server(limited, tracer, metrics)));
    s.setErrorHandler(new JsonErrorHandler(tracer));
    s.setStopTimeout(drainMillis);
    try {
      s.start();
    } catch (IOException e) {
      try {
        s.stop();
      } catch (Exception ignored) {
        // nothing started
      }
      throw new ConfigException("http.port", config.port(), "a free port on " + config.host() + " (" + e.getMessage()
          + ")", e);
    }
    server = s;
    LOG.log(Level.INFO, "{0}: HTTP on http://{1}:{2,number,#}", service, config.host(), connector.getLocalPort());
  }

  @Override
  public synchronized void stop() throws Exception {
    Server s = server;
    if (s != null) {
      server = null;
      s.stop();
    }
  }
}
