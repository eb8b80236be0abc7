package hyperion;

import hyperion.cache.LocalLayer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The most requested keys of one cache, estimated in bounded memory: sampled lookups are counted in
 * a count-min sketch ({@value #DEPTH} rows of {@value #WIDTH} counters), and the {@code n} keys with
 * the highest estimates are kept beside it. Every {@value #AGING_SAMPLES} counted samples all counts
 * are halved, so the list follows recent traffic.
 *
 * <p>One lookup in {@value #SAMPLE} is sampled on average, whatever its key or time: the threads
 * are spread over {@value #STRIPES} stripes by thread id (as Caffeine spreads its read buffers),
 * and each stripe counts down a random gap of 1 to 2·{@value #SAMPLE} − 1 lookups, drawn from the
 * sampling thread's {@link ThreadLocalRandom} after each sample. A lookup that is not sampled costs
 * one decrement of its stripe's count, no draw. The gaps are random so that a workload repeating
 * with some period cannot hide a key from the samples; the rule ignores the key and the time,
 * because a rule by key and time sampled a key's lookups in whole ticks of the L1 layer's
 * millisecond clock, too few ticks in a short burst to rank keys of similar rates. An L1 layer
 * hands its hits over from inside its lookup ({@link LocalLayer.Hits}); the tier samples the other
 * lookups.
 *
 * <p>A lookup never counts: a sampled key is written to a ring of {@value #PENDING} slots (plain
 * writes: two samples that race for a slot keep one), and the counting is done in batches, under
 * this object's lock, by a task on the drain executor that every {@value #DRAIN_EVERY} samples start,
 * and by {@link #top()} before it reads. Samples that the ring overwrites before they are counted
 * are lost: estimates can only be deflated by that, alike for every key.
 */
final class HotKeySketch implements LocalLayer.Hits {
  /** One lookup in this many is counted, on average. */
  static final int SAMPLE = 16;
  static final int DEPTH = 4;
  static final int WIDTH = 1024;
  /** Counted samples between two halvings of every count. */
  static final long AGING_SAMPLES = 10L * WIDTH;
  /** Stripes of the sampling countdowns: threads whose ids are equal modulo this share one. */
  static final int STRIPES = 32;
  /** Ints per stripe: one 64-byte cache line, so threads of different stripes never write one line. */
  private static final int STRIPE_INTS = 16;
  /** Sampled keys waiting to be counted, at most. */
  static final int PENDING = 1024;
  /** Samples between two drain tasks. */
  static final int DRAIN_EVERY = PENDING / 4;
  private static final int[] SEEDS = {0x9E3779B9, 0x85EBCA6B, 0xC2B2AE35, 0x27D4EB2F};

  private final int n;
  private final Executor drains;
  /**
   * Per stripe, the lookups left before its next sample (element {@code stripe * STRIPE_INTS}); plain
   * writes: threads that share a stripe and race may lose a decrement, which only moves a sample.
   */
  private final int[] countdowns = new int[STRIPES * STRIPE_INTS];
  /** Sampled keys not yet counted: sample {@code i} goes to slot {@code i & (PENDING - 1)}. */
  private final String[] pending = new String[PENDING];
  /**
   * The number of the next sample, written without synchronization: racing samples may share one,
   * and a late write may set it back.
   */
  private int next;
  /** Whether a drain task has been handed to the executor and has not finished. */
  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  // Guarded by this object's lock.
  /** The number of the next sample to count. */
  private int drained;
  private final int[] counts = new int[DEPTH * WIDTH];
  private long counted;
  private final String[] top;
  private final int[] topCounts;
  private int size;
  /** The smallest count in the top list once it is full, else 0: a sample below it leaves the list alone. */
  private int floor;

  /** A sketch that keeps the {@code n} most requested keys, counting samples on {@code drains}. */
  HotKeySketch(int n, Executor drains) {
    this.n = n;
    this.drains = drains;
    this.top = new String[n];
    this.topCounts = new int[n];
  }

  /** Called on every lookup of {@code key}; samples one lookup in {@value #SAMPLE} on average. */
  @Override
  @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+, and both read one field
  public void hit(String key) {
    int stripe = ((int) Thread.currentThread().getId() & (STRIPES - 1)) * STRIPE_INTS;
    int left = countdowns[stripe] - 1;
    if (left > 0) {
      countdowns[stripe] = left;
    } else {
      countdowns[stripe] = 1 + ThreadLocalRandom.current().nextInt(2 * SAMPLE - 1);
      add(key);
    }
  }

  /** Adds one sampled lookup of {@code key} to the ring. */
  void add(String key) {
    int i = next;
    next = i + 1;
    pending[i & (PENDING - 1)] = key;
    if ((i & (DRAIN_EVERY - 1)) == DRAIN_EVERY - 1) {
      scheduleDrain();
    }
  }

  private void scheduleDrain() {
    if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
      try {
        drains.execute(this::drainTask);
      } catch (RejectedExecutionException e) {
        drainScheduled.set(false); // the next DRAIN_EVERY samples try again; until then some may be overwritten
      }
    }
  }

  private void drainTask() {
    try {
      drain();
    } finally {
      drainScheduled.set(false);
    }
  }

  /** Counts the samples added since the last drain that the ring still holds. */
  private synchronized void drain() {
    int end = next;
    // The ring holds at most the last PENDING samples; older ones were overwritten. A sampler that
    // read next, was descheduled and wrote it back late can set it behind drained: then nothing is
    // counted and the count starts again from there (a few samples lost, never four billion slots
    // read, which counting from drained up to end would do).
    int from = end - drained > PENDING ? end - PENDING : drained;
    for (int i = from; i - end < 0; i++) {
      int slot = i & (PENDING - 1);
      String key = pending[slot];
      if (key != null) { // null: lost to a race, or its write is not visible here yet
        pending[slot] = null;
        count(key);
      }
    }
    drained = end;
  }

  /** Counts one sampled lookup of {@code key}. */
  private void count(String key) {
    int h = key.hashCode();
    int estimate = Integer.MAX_VALUE;
    for (int row = 0; row < DEPTH; row++) {
      int x = (h ^ SEEDS[row]) * 0x9E3779B9;
      int i = row * WIDTH + ((x ^ (x >>> 16)) & (WIDTH - 1));
      int c = ++counts[i];
      estimate = Math.min(estimate, c);
    }
    if (estimate > floor) {
      offer(key, estimate);
    }
    if (++counted % AGING_SAMPLES == 0) {
      age();
    }
  }

  private void offer(String key, int estimate) {
    int min = 0;
    for (int i = 0; i < size; i++) {
      if (top[i].equals(key)) {
        topCounts[i] = Math.max(topCounts[i], estimate);
        updateFloor();
        return;
      }
      if (topCounts[i] < topCounts[min]) {
        min = i;
      }
    }
    if (size < n) {
      top[size] = key;
      topCounts[size++] = estimate;
    } else if (estimate > topCounts[min]) {
      top[min] = key;
      topCounts[min] = estimate;
    }
    updateFloor();
  }

  private void updateFloor() {
    if (size < n) {
      floor = 0;
      return;
    }
    int min = Integer.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      min = Math.min(min, topCounts[i]);
    }
    floor = min;
  }

  private void age() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] >>>= 1;
    }
    for (int i = 0; i < size; i++) {
      topCounts[i] >>>= 1;
    }
    updateFloor();
  }

  /** The kept keys, most requested first, with their estimated lookups; counts pending samples first. */
  synchronized List<HotKey> top() {
    drain();
    List<HotKey> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(new HotKey(top[i], (long) topCounts[i] * SAMPLE));
    }
    out.sort(Comparator.comparingLong(HotKey::requests).reversed().thenComparing(HotKey::key));
    return out;
  }
}
