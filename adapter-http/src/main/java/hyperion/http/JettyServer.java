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
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.component.Graceful;
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
  public void stop() throws Exception {
    stop(Duration.ofMillis(drainMillis * 2));
  }

  /**
   * Stops within nine tenths of {@code budget} (a stop past the budget would have the lifecycle
   * abandon the server): requests in flight may finish for up to half of {@code
   * service.shutdown_timeout} and two thirds of that time; what is left goes to the thread pool,
   * which waits half of it for handler threads still running, interrupts them, and waits the
   * other half. The drain is run here rather than by Jetty's stop timeout, because Jetty then gives
   * the thread pool at least another second, whatever the budget.
   */
  @Override
  public synchronized void stop(Duration budget) throws Exception {
    Server s = server;
    if (s == null) {
      return;
    }
    server = null;
    long start = System.nanoTime();
    long total = Math.max(2, budget.toMillis() * 9 / 10);
    long drain = Math.max(1, Math.min(drainMillis, total * 2 / 3));
    try {
      Graceful.shutdown(s).get(drain, TimeUnit.MILLISECONDS); // new requests 503, in-flight ones finish
    } catch (TimeoutException e) {
      LOG.log(Level.WARNING, "{0}: requests still running after the {1} ms drain are cut off", service, drain);
    } catch (ExecutionException e) {
      LOG.log(Level.WARNING, service + ": draining failed; stopping", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stop anyway: the server must not outlive its component
    }
    long left = total - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    s.setStopTimeout(0); // drained above
    ((QueuedThreadPool) s.getThreadPool()).setStopTimeout(Math.max(1, left));
    s.stop();
  }
}
