package hyperion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Stage;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.config.Config;
import hyperion.config.ConfigException;
import hyperion.cache.LocalLayer;
import hyperion.testkit.InMemoryLocalLayer;
import hyperion.testkit.RecordingMetrics;
import hyperion.testkit.RecordingTracer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HyperionModuleTest {

  /** An adapter-style module: overrides the Tracer default, the way every adapter does. */
  static final class RecordingTracerModule extends AbstractModule {
    final RecordingTracer tracer = new RecordingTracer();

    @Override
    protected void configure() {
      OptionalBinder.newOptionalBinder(binder(), Tracer.class).setBinding().toInstance(tracer);
    }
  }

  @Test
  void hyperionModuleAloneGivesAWorkingContextWhosePortsDoNothing() throws Exception {
    Context ctx = Guice.createInjector(Stage.PRODUCTION, new HyperionModule()).getInstance(Context.class);

    try (Span span = ctx.tracer().start("work")) {
      span.setAttribute("k", "v").setAttribute("n", 1L).addEvent("e").recordError(new RuntimeException("x"));
      assertThat(span.isRecording()).isFalse();
      assertThat(ctx.currentTraceId()).isEmpty();
    }
    ctx.metrics().counter("c_total", "help", "route").labels("/x").inc();
    ctx.metrics().histogram("h_seconds", "help").startTimer().close();
    ctx.metrics().gauge("g", "help").set(3);
    assertThat(ctx.cache("users").getOrLoad("1", String.class, null, k -> "loaded-" + k)).isEqualTo("loaded-1");
    assertThat(ctx.cache("users").get("1", String.class)).isEmpty();
    assertThat(ctx.config()).isEqualTo(Config.defaults());

    ExecutorService pool = ctx.tracer().wrap(Executors.newSingleThreadExecutor());
    assertThat(pool.submit(() -> 42).get(5, TimeUnit.SECONDS)).isEqualTo(42);
    pool.shutdown();
  }

  @Test
  void installingTheModuleTwiceIsHarmless() {
    Injector injector = Guice.createInjector(new HyperionModule(), new HyperionModule(),
        new HyperionModule(Config.fromYaml("")));
    assertThat(injector.getInstance(Context.class)).isNotNull();
  }

  @Test
  void twoDifferentConfigsAreAnError() {
    assertThatThrownBy(() -> Guice.createInjector(new HyperionModule(),
        new HyperionModule(Config.fromYaml("service:\n  name: other\n"))))
        .hasMessageContaining("Config");
  }

  @Test
  void anAdapterOverridesTheDefaultInAnyOrder() {
    RecordingTracerModule adapter = new RecordingTracerModule();
    for (Injector injector : new Injector[] {
        Guice.createInjector(new HyperionModule(), adapter),
        Guice.createInjector(adapter, new HyperionModule())}) {
      Context ctx = injector.getInstance(Context.class);
      try (Span s = ctx.tracer().start("op")) {
        assertThat(ctx.currentTraceId()).contains(s.traceId());
      }
    }
    assertThat(adapter.tracer.finished()).hasSize(2);
  }

  @Test
  void aBoundCacheLayerBacksTheCachesOfTheContext() {
    InMemoryLocalLayer.Factory l1 = new InMemoryLocalLayer.Factory();
    Context ctx = Guice.createInjector(new HyperionModule(), new AbstractModule() {
      @Override
      protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), LocalLayer.Factory.class).setBinding().toInstance(l1);
      }
    }).getInstance(Context.class);
    ctx.cache("users").put("1", "one");
    assertThat(l1.layers.get("users").get("1")).isEqualTo("one");
  }

  @Test
  void badConfigurationFailsAtStartWithTheKeyNamed() {
    assertThatThrownBy(() -> Hyperion.start(Config.fromYaml("service:\n  shutdown_timeout: 0s\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("service.shutdown_timeout = '0s'");
  }

  /** A section shaped like an adapter's. */
  record PortSection(int port) {
    static final hyperion.config.ConfigSection<PortSection> SECTION =
        new hyperion.config.ConfigSection<>("metrics", PortSection.class, new PortSection(1));

    PortSection {
      ConfigException.require(port > 0, "port", port, "a positive port");
    }
  }

  @Test
  void aDeclaredSectionsErrorsSurfaceTogetherWithTheCoresAtStart() {
    AbstractModule adapter = new AbstractModule() {
      @Override
      protected void configure() {
        hyperion.config.ConfigSection.declare(binder(), PortSection.SECTION);
      }

      @com.google.inject.Provides
      @jakarta.inject.Singleton
      PortSection section(hyperion.config.ConfigSections sections) {
        return sections.get(PortSection.SECTION);
      }
    };
    assertThatThrownBy(() -> Hyperion.start(Config.fromYaml(
        "service:\n  shutdown_timeout: 0s\nmetrics:\n  port: -1\nmetrix: {}\n"), adapter))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid configuration (3 problems):\n"
            + "  service.shutdown_timeout = '0s': a duration between 1ms and 10m, e.g. 10s\n"
            + "  metrics.port = '-1': a positive port\n"
            + "  metrix = '(section)': unknown section; the installed modules declare cache, health, metrics, service");
  }

  @Test
  void anUndeclaredSectionIsReported() {
    assertThatThrownBy(() -> Hyperion.start(Config.fromYaml("metrics:\n  port: 1\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("metrics = '(section)': unknown section");
  }

  @Test
  void contextReportsTheCurrentTraceIdAndRecordingPortsAreUsed() {
    RecordingMetrics metrics = new RecordingMetrics();
    Context ctx = Guice.createInjector(new HyperionModule(), new RecordingTracerModule(), new AbstractModule() {
      @Override
      protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), Metrics.class).setBinding().toInstance(metrics);
      }
    }).getInstance(Context.class);
    ctx.metrics().counter("requests_total", "Requests").inc();
    assertThat(metrics.value("requests_total")).isEqualTo(1);
    assertThat(ctx.currentTraceId()).isEmpty();
    try (Span s = ctx.tracer().start("x")) {
      assertThat(ctx.currentTraceId()).contains(s.traceId());
    }
  }
}
