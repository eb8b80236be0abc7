package hyperion;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link HotKeySketch}: samples wait in the ring, are counted off the lookups, and are bounded. */
class HotKeySketchTest {

  /** An executor that keeps the drain tasks it is given until the test runs them. */
  static final class HeldTasks implements java.util.concurrent.Executor {
    final List<Runnable> tasks = new ArrayList<>();

    @Override
    public synchronized void execute(Runnable task) {
      tasks.add(task);
    }

    synchronized void runAll() {
      tasks.forEach(Runnable::run);
      tasks.clear();
    }
  }

  @Test
  void samplesAreCountedWhenTheListIsRead() {
    HotKeySketch sketch = new HotKeySketch(2, task -> {
      throw new AssertionError("no drain task below " + HotKeySketch.DRAIN_EVERY + " samples");
    });
    assertThat(30 + 20 + 1).isLessThan(HotKeySketch.DRAIN_EVERY);
    for (int i = 0; i < 30; i++) {
      sketch.add("a");
    }
    for (int i = 0; i < 20; i++) {
      sketch.add("b");
    }
    sketch.add("c");

    assertThat(sketch.top()).containsExactly(new HotKey("a", 30), new HotKey("b", 20));
  }

  @Test
  void everyDrainEverySamplesStartOneDrainTask() {
    HeldTasks drains = new HeldTasks();
    HotKeySketch sketch = new HotKeySketch(1, drains);
    for (int i = 0; i < HotKeySketch.DRAIN_EVERY - 1; i++) {
      sketch.add("k");
    }
    assertThat(drains.tasks).isEmpty();
    sketch.add("k");
    assertThat(drains.tasks).hasSize(1);
    drains.runAll();
    // The drain counted them: the list needs no pending sample to know the key.
    assertThat(sketch.top()).containsExactly(new HotKey("k", HotKeySketch.DRAIN_EVERY));
  }

  @Test
  void aRingOverwrittenBeforeItIsDrainedKeepsItsLastSamples() {
    HeldTasks drains = new HeldTasks();
    HotKeySketch sketch = new HotKeySketch(1, drains);
    for (int i = 0; i < HotKeySketch.PENDING + 500; i++) {
      sketch.add("k");
    }
    // One task, started at DRAIN_EVERY samples and not yet run: the first 500 samples were overwritten.
    assertThat(drains.tasks).hasSize(1);
    drains.runAll();
    sketch.add("k");
    assertThat(sketch.top()).containsExactly(new HotKey("k", HotKeySketch.PENDING + 1L));
  }

  @Test
  void aRejectedDrainIsTriedAgainByTheNextDrainEverySamples() {
    int[] offered = {0};
    HotKeySketch sketch = new HotKeySketch(1, task -> {
      offered[0]++;
      throw new RejectedExecutionException("busy");
    });
    for (int i = 0; i < HotKeySketch.PENDING + 3; i++) {
      sketch.add("k");
    }
    assertThat(offered[0]).isEqualTo(HotKeySketch.PENDING / HotKeySketch.DRAIN_EVERY);
    // The list counts what the ring still holds: its last PENDING samples.
    assertThat(sketch.top()).containsExactly(new HotKey("k", HotKeySketch.PENDING));
  }

  /** A tick of the sketch: the clock reading {@code n} ticks from {@code origin}. */
  private static long tick(long origin, int n) {
    return origin + ((long) n << HotKeySketch.TICK_SHIFT);
  }

  @Test
  void theFirstBudgetLookupsOfEachTickAreSampledWhateverTheirKeys() {
    HotKeySketch sketch = new HotKeySketch(3, Runnable::run);
    long origin = 5L << 40; // the start of a tick
    for (int i = 0; i < 3 * HotKeySketch.BUDGET; i++) {
      sketch.hit(i % 2 == 0 ? "a" : "b", origin + i); // one tick: only the first BUDGET count
    }
    for (int i = 0; i < 50; i++) {
      sketch.hit("c", tick(origin, 1)); // a quiet tick: every lookup counts
    }
    long late = tick(origin, 2) - 1; // still the second tick, a nanosecond before the third
    for (int i = 0; i < HotKeySketch.BUDGET; i++) {
      sketch.hit("c", late);
    }
    assertThat(sketch.top()).containsExactly(new HotKey("c", HotKeySketch.BUDGET),
        new HotKey("a", HotKeySketch.BUDGET / 2), new HotKey("b", HotKeySketch.BUDGET / 2));
  }

  @Test
  void aClockThatDoesNotAdvanceSamplesOneBudgetOnly() {
    HotKeySketch sketch = new HotKeySketch(1, Runnable::run);
    for (int i = 0; i < 10_000; i++) {
      sketch.hit("k", 42);
    }
    assertThat(sketch.top()).containsExactly(new HotKey("k", HotKeySketch.BUDGET));
  }

  @Test
  void aBusyCacheIsSampledInProportionToItsKeysLookups() {
    HotKeySketch sketch = new HotKeySketch(2, Runnable::run);
    // 1,000 ticks of 1,000 lookups each, 3 of "a" for every 1 of "b", in an order that no tick
    // starts the same way: 128,000 samples (fewer than AGING_SAMPLES, so no count is halved).
    Random random = new Random(7);
    for (int t = 0; t < 1_000; t++) {
      for (int i = 0; i < 1_000; i++) {
        sketch.hit(random.nextInt(4) == 0 ? "b" : "a", tick(0, t) + i);
      }
    }
    assertThat(HotKeySketch.AGING_SAMPLES).isGreaterThan(1_000L * HotKeySketch.BUDGET);
    List<HotKey> top = sketch.top();
    assertThat(top).extracting(HotKey::key).containsExactly("a", "b");
    // b: 32,000 samples expected, a standard deviation of 155.
    assertThat(top.get(1).requests()).isBetween(32_000L - 6 * 155, 32_000L + 6 * 155);
    assertThat(top.get(0).requests() + top.get(1).requests()).isEqualTo(1_000L * HotKeySketch.BUDGET);
  }

  @Test
  void aSampleCounterSetBackByARacingSamplerCostsSamplesNotAScanOfFourBillionSlots() throws Exception {
    HotKeySketch sketch = new HotKeySketch(2, Runnable::run);
    for (int i = 0; i < 10; i++) {
      sketch.add("k");
    }
    assertThat(sketch.top()).containsExactly(new HotKey("k", 10));
    // A sampler that read next as 5 and was descheduled writes 6 after the drain counted up to 10.
    java.lang.reflect.Field next = HotKeySketch.class.getDeclaredField("next");
    next.setAccessible(true);
    next.setInt(sketch, 6);
    sketch.add("j");
    long start = System.nanoTime();
    List<HotKey> top = sketch.top();
    // Counting slots 10 up to 7 the long way round took seconds and counted stale slots.
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(1));
    assertThat(top).contains(new HotKey("k", 10));
    for (int i = 0; i < 3; i++) {
      sketch.add("j"); // counted again from where next was set back to
    }
    assertThat(sketch.top()).contains(new HotKey("j", 3));
  }

  @Test
  void countsHalveEveryAgingSamples() {
    HotKeySketch sketch = new HotKeySketch(1, Runnable::run);
    for (long i = 0; i < HotKeySketch.AGING_SAMPLES; i++) {
      sketch.add("k");
    }
    assertThat(sketch.top()).containsExactly(new HotKey("k", HotKeySketch.AGING_SAMPLES / 2));
  }

  @Test
  void concurrentSamplesAreCountedOrDroppedNeverMisattributed() throws Exception {
    ExecutorService drains = Executors.newSingleThreadExecutor();
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      HotKeySketch sketch = new HotKeySketch(4, drains);
      CountDownLatch start = new CountDownLatch(1);
      int perThread = 2_000;
      List<Future<?>> done = new ArrayList<>();
      String[] keys = {"key-0", "key-1", "key-2", "key-3"};
      for (int t = 0; t < 4; t++) {
        done.add(callers.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            sketch.add(keys[i & 3]); // each key perThread times in all
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(10, TimeUnit.SECONDS);
      }
      drains.submit(() -> null).get(10, TimeUnit.SECONDS); // drain tasks started so far have run
      List<HotKey> top = sketch.top();
      assertThat(top).extracting(HotKey::key).containsExactlyInAnyOrder("key-0", "key-1", "key-2", "key-3");
      long total = top.stream().mapToLong(HotKey::requests).sum();
      System.out.println("concurrent samples counted: " + total + " of " + 4 * perThread);
      assertThat(total).isPositive().isLessThanOrEqualTo(4L * perThread);
      assertThat(top).allSatisfy(k -> assertThat(k.requests()).isLessThanOrEqualTo(perThread));
    } finally {
      callers.shutdownNow();
      drains.shutdownNow();
    }
  }
}
