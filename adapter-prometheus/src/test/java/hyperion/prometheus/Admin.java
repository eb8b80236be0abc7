package hyperion.prometheus;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Stage;
import hyperion.HyperionModule;
import hyperion.Metrics;
import hyperion.config.Config;
import hyperion.lifecycle.Lifecycle;
import hyperion.testkit.LoopbackPorts;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A started application with the Prometheus adapter and its admin server on a free loopback port. */
final class Admin implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final int port;
  final Injector injector;
  final Lifecycle lifecycle;

  private Admin(int port, Injector injector) {
    this.port = port;
    this.injector = injector;
    this.lifecycle = injector.getInstance(Lifecycle.class);
  }

  /** Starts an application, its admin server on a free port; {@code extraYaml} is the {@code metrics} section. */
  static Admin start(String extraYaml, Module... extra) {
    int port = LoopbackPorts.free();
    String yaml = "admin:\n  host: 127.0.0.1\n  port: " + port + "\nmetrics:\n" + extraYaml.indent(2);
    List<Module> modules = new ArrayList<>(List.of(new HyperionModule(Config.fromYaml(yaml)), new PrometheusModule()));
    modules.addAll(List.of(extra));
    Admin admin = new Admin(port, Guice.createInjector(Stage.PRODUCTION, modules));
    admin.lifecycle.start(Duration.ofSeconds(5));
    return admin;
  }

  static Admin start(String extraYaml) {
    return start(extraYaml, new AbstractModule() {});
  }

  Metrics metrics() {
    return injector.getInstance(Metrics.class);
  }

  PrometheusRegistry registry() {
    return injector.getInstance(PrometheusRegistry.class);
  }

  HttpResponse<String> get(String path, String... headers) {
    return send(path, "GET", headers, HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> getBytes(String path, String... headers) {
    return send(path, "GET", headers, HttpResponse.BodyHandlers.ofByteArray());
  }

  <T> HttpResponse<T> send(String path, String method, String[] headers, HttpResponse.BodyHandler<T> body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    try {
      return HTTP.send(b.build(), body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The text exposition format. */
  String scrape() {
    return get("/metrics").body();
  }

  /** The OpenMetrics format. */
  String scrapeOpenMetrics() {
    return get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8").body();
  }

  @Override
  public void close() {
    lifecycle.stop(Duration.ofSeconds(5));
  }
}
