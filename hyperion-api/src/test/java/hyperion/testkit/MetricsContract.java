package hyperion.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import hyperion.Counter;
import hyperion.Gauge;
import hyperion.Histogram;
import hyperion.Metrics;
import hyperion.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link Metrics} implementation shares. Subclass it, return the
 * implementation from {@link #metrics()} and read recorded values back through the hooks; an
 * implementation that records nothing (the no-op) returns {@link OptionalDouble#empty()} and the
 * value checks are skipped with an assumption, while the declaration and misuse rules still run.
 *
 * <p>Every test uses metric names of its own, so {@link #metrics()} may return one instance for
 * the whole class or a fresh one per test.
 */
public abstract class MetricsContract {

  private static final AtomicInteger IDS = new AtomicInteger();

  /** The implementation under test. */
  protected abstract Metrics metrics();

  /**
   * The value of a counter's series, by the name given to {@link Metrics#counter} and the label
   * values in declaration order; empty when the implementation records nothing.
   */
  protected abstract OptionalDouble counterValue(String name, String... labelValues);

  /** The number of observations in a histogram's series; empty when not recorded. */
  protected abstract OptionalDouble histogramCount(String name, String... labelValues);

  /** The sum of the observations in a histogram's series; empty when not recorded. */
  protected abstract OptionalDouble histogramSum(String name, String... labelValues);

  /** The value of a gauge's series (a callback gauge is read now); empty when not recorded. */
  protected abstract OptionalDouble gaugeValue(String name, String... labelValues);

  /** A metric name no other test uses. */
  protected static String unique(String base) {
    return "contract_" + base + "_" + IDS.incrementAndGet();
  }

  /** The value, or skips the calling test when the implementation does not record values. */
  protected static double recorded(OptionalDouble value) {
    assumeTrue(value.isPresent(), "this implementation does not record values");
    return value.getAsDouble();
  }

  @Nested
  class Declaration {

    @Test
    void sameNameTypeAndLabelsReturnsTheSameInstrument() {
      String c = unique("requests_total");
      String h = unique("latency_seconds");
      String g = unique("queue_size");
      assertThat(metrics().counter(c, "help", "route")).isSameAs(metrics().counter(c, "other help", "route"));
      assertThat(metrics().histogram(h, "help", "route")).isSameAs(metrics().histogram(h, "help", "route"));
      assertThat(metrics().gauge(g, "help")).isSameAs(metrics().gauge(g, "help"));
    }

    @Test
    void otherTypeUnderAnExistingNameFailsNamingTheMetric() {
      String name = unique("conflict");
      metrics().counter(name, "help", "a");
      assertThatThrownBy(() -> metrics().gauge(name, "help", "a"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
      assertThatThrownBy(() -> metrics().histogram(name, "help", "a"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
    }

    @Test
    void otherLabelsUnderAnExistingNameFailNamingTheMetric() {
      String name = unique("relabel_total");
      metrics().counter(name, "help", "a", "b");
      assertThatThrownBy(() -> metrics().counter(name, "help", "a"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
      assertThatThrownBy(() -> metrics().counter(name, "help", "b", "a"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
    }

    @Test
    void invalidNamesAreRejected() {
      for (String bad : new String[] {"", "1starts_with_digit", "has-dash", "has space", "caf\u00e9"}) {
        assertThatThrownBy(() -> metrics().counter(bad, "help"))
            .as("name '%s'", bad).isInstanceOf(IllegalArgumentException.class);
      }
      assertThatThrownBy(() -> metrics().counter(null, "help")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void invalidLabelNamesAreRejectedNamingTheMetric() {
      for (String bad : new String[] {"", "has-dash", "__reserved", "1digit", "a:b"}) {
        String name = unique("labels");
        assertThatThrownBy(() -> metrics().counter(name, "help", bad))
            .as("label '%s'", bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
      }
    }

    @Test
    void histogramBucketsMustIncrease() {
      String name = unique("buckets_seconds");
      assertThatThrownBy(() -> metrics().histogram(name, "help", new double[] {0.1, 0.1, 1}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
      assertThatThrownBy(() -> metrics().histogram(name, "help", new double[] {1, 0.5}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
    }
  }

  @Nested
  class Counters {

    @Test
    void incrementsAddUp() {
      String name = unique("ops_total");
      Counter c = metrics().counter(name, "help");
      c.inc();
      c.inc(2.5);
      c.labels().inc();
      assertThat(recorded(counterValue(name))).isEqualTo(4.5);
    }

    @Test
    void negativeAndNotANumberAmountsAreIgnored() {
      String name = unique("ignored_total");
      Counter.Child child = metrics().counter(name, "help", "k").labels("v");
      child.inc(3);
      assertThatCode(() -> {
        child.inc(-1);
        child.inc(Double.NaN);
      }).doesNotThrowAnyException();
      assertThat(recorded(counterValue(name, "v"))).isEqualTo(3);
    }

    @Test
    void seriesAreSeparatedByLabelValues() {
      String name = unique("http_total");
      Counter c = metrics().counter(name, "help", "route", "status");
      c.labels("/a", "200").inc();
      c.labels("/a", "200").inc();
      c.labels("/a", "500").inc();
      assertThat(recorded(counterValue(name, "/a", "200"))).isEqualTo(2);
      assertThat(recorded(counterValue(name, "/a", "500"))).isEqualTo(1);
    }
  }

  @Nested
  class Histograms {

    @Test
    void observationsAreCountedAndSummed() {
      String name = unique("duration_seconds");
      Histogram h = metrics().histogram(name, "help", "op");
      h.labels("get").observe(0.25);
      h.labels("get").observe(1.5);
      assertThat(recorded(histogramCount(name, "get"))).isEqualTo(2);
      assertThat(recorded(histogramSum(name, "get"))).isEqualTo(1.75);
    }

    @Test
    void explicitBucketsWork() {
      String name = unique("size_bytes");
      Histogram h = metrics().histogram(name, "help", new double[] {100, 1_000, 10_000});
      h.observe(50);
      h.observe(5_000);
      assertThat(recorded(histogramCount(name))).isEqualTo(2);
      assertThat(recorded(histogramSum(name))).isEqualTo(5_050);
    }

    @Test
    void aTimerRecordsOnceInSeconds() throws InterruptedException {
      String name = unique("timed_seconds");
      Histogram.Child h = metrics().histogram(name, "help", "op").labels("sleep");
      Timer t = h.startTimer();
      Thread.sleep(20);
      double first = t.observeDuration();
      t.close();
      assertThat(t.observeDuration()).isEqualTo(first);
      try (Timer unlabelled = metrics().histogram(unique("unlabelled_seconds"), "help").startTimer()) {
        assertThat(unlabelled).isNotNull();
      }
      assertThat(recorded(histogramCount(name, "sleep"))).isEqualTo(1);
      assertThat(first).isBetween(0.015, 10.0);
      assertThat(recorded(histogramSum(name, "sleep"))).isEqualTo(first);
    }
  }

  @Nested
  class Gauges {

    @Test
    void setIncAndDec() {
      String name = unique("in_flight");
      Gauge g = metrics().gauge(name, "help");
      g.set(10);
      g.inc();
      g.inc();
      g.dec();
      assertThat(recorded(gaugeValue(name))).isEqualTo(11);
    }

    @Test
    void labelledChildrenAdd() {
      String name = unique("pool_connections");
      Gauge.Child idle = metrics().gauge(name, "help", "state").labels("idle");
      idle.set(5);
      idle.add(-2);
      idle.inc();
      idle.dec();
      idle.dec();
      assertThat(recorded(gaugeValue(name, "idle"))).isEqualTo(2);
    }

    @Test
    void callbackGaugeIsReadAtCollection() {
      String name = unique("callback_value");
      AtomicInteger source = new AtomicInteger(7);
      metrics().gauge(name, "help", source::get);
      assertThat(recorded(gaugeValue(name))).isEqualTo(7);
      source.set(8);
      assertThat(recorded(gaugeValue(name))).isEqualTo(8);
    }

    @Test
    void declaringACallbackGaugeAgainKeepsTheFirst() {
      String name = unique("callback_twice");
      metrics().gauge(name, "help", () -> 1);
      assertThatCode(() -> metrics().gauge(name, "help", () -> 2)).doesNotThrowAnyException();
      assertThat(recorded(gaugeValue(name))).isEqualTo(1);
    }

    @Test
    void aFailingCallbackNeverThrows() {
      String name = unique("callback_broken");
      metrics().gauge(name, "help", () -> {
        throw new IllegalStateException("boom");
      });
      assertThatCode(() -> gaugeValue(name)).doesNotThrowAnyException();
    }
  }

  @Nested
  class Children {

    @Test
    void equalLabelValuesGiveTheSameChild() {
      Counter c = metrics().counter(unique("cached_total"), "help", "a", "b");
      String[] values = {"x", "y"};
      Counter.Child first = c.labels(values);
      values[0] = "changed"; // the implementation must not keep the caller's array
      assertThat(c.labels(new String("x"), new String("y"))).isSameAs(first);
      Histogram h = metrics().histogram(unique("cached_seconds"), "help", "a");
      assertThat(h.labels("x")).isSameAs(h.labels("x"));
      Gauge g = metrics().gauge(unique("cached_gauge"), "help", "a");
      assertThat(g.labels("x")).isSameAs(g.labels("x"));
    }

    @Test
    void wrongLabelCountNeverThrowsAndRecordsNothing() {
      String name = unique("misused_total");
      Counter c = metrics().counter(name, "help", "a", "b");
      assertThatCode(() -> {
        c.labels("only-one").inc();
        c.labels("one", "two", "three").inc(5);
        c.labels().inc();
        c.labels((String[]) null).inc();
        c.inc(); // unlabelled use of a labelled counter
        metrics().histogram(unique("misused_seconds"), "help", "a").labels().observe(1);
        metrics().histogram(unique("misused2_seconds"), "help", "a").startTimer().close();
        metrics().gauge(unique("misused_gauge"), "help", "a").labels("x", "y").set(1);
        metrics().gauge(unique("misused2_gauge"), "help", "a").set(1);
      }).doesNotThrowAnyException();
      c.labels("a", "b").inc();
      assertThat(recorded(counterValue(name, "a", "b"))).isEqualTo(1);
    }

    @Test
    void nullLabelValuesNeverThrow() {
      Counter c = metrics().counter(unique("null_values_total"), "help", "a");
      assertThatCode(() -> c.labels((String) null).inc()).doesNotThrowAnyException();
    }
  }

  @Nested
  class Concurrency {

    @Test
    @Timeout(60)
    void concurrentIncrementsGiveTheExactTotal() throws Exception {
      String name = unique("concurrent_total");
      Counter c = metrics().counter(name, "help", "worker_group");
      int threads = 8;
      int perThread = 50_000;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int id = t;
          done.add(pool.submit(() -> {
            Counter.Child kept = c.labels("shared");
            go.await();
            for (int i = 0; i < perThread; i++) {
              // Half of the threads look the child up every time, half keep it: both must count.
              (id % 2 == 0 ? c.labels("shared") : kept).inc();
            }
            return null;
          }));
        }
        go.countDown();
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(recorded(counterValue(name, "shared"))).isEqualTo((double) threads * perThread);
    }
  }
}
