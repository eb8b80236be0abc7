package hyperion;

import hyperion.cache.LocalLayer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The most requested keys of one cache, estimated in bounded memory: sampled lookups are counted in
 * a count-min sketch ({@value #DEPTH} rows of {@value #WIDTH} counters), and the {@code n} keys with
 * the highest estimates are kept beside it. Every {@value #AGING_SAMPLES} counted samples all counts
 * are halved, so the list follows recent traffic.
 *
 * <p>The first {@value #BUDGET} lookups of every tick are sampled, whatever their keys: a tick is
 * 2<sup>{@value #TICK_SHIFT}</sup> ns (about a millisecond) of the clock the caller passes, which for
 * an L1 hit is the time the layer read for that get anyway. A cache that sees fewer lookups than
 * that in a tick has all of them counted; a busier one has {@value #BUDGET} per tick counted, drawn
 * from the traffic of the moment. A lookup past the tick's budget costs a read of one field that
 * the tick's last sampled lookup wrote (the time the tick ends) and a comparison: no write, no
 * thread-local state and no random draw (sampling one lookup in 16 by a per-thread countdown cost a
 * hit 5.8 % in the paired benchmark, this rule 1 to 3 %). Racing samplers may reset a tick's
 * budget twice or lose a decrement, which only adds or moves a few samples. An L1 layer hands its
 * hits over from inside its lookup ({@link LocalLayer.Hits}); the tier samples the other lookups on
 * the same clock.
 *
 * <p>A lookup never counts: a sampled key is written to a ring of {@value #PENDING} slots (plain
 * writes: two samples that race for a slot keep one), and the counting is done in batches, under
 * this object's lock, by a task on the drain executor that every {@value #DRAIN_EVERY} samples start,
 * and by {@link #top()} before it reads. Samples that the ring overwrites before they are counted
 * are lost: estimates can only be deflated by that, alike for every key.
 */
final class HotKeySketch implements LocalLayer.Hits {
  /** Lookups sampled per tick, at most. */
  static final int BUDGET = 128;
  /** A tick is 2^TICK_SHIFT ns of the caller's clock. */
  static final int TICK_SHIFT = 20;
  static final int DEPTH = 4;
  static final int WIDTH = 1024;
  /** Counted samples between two halvings of every count: a budget for each of 1024 ticks (~1 s). */
  static final long AGING_SAMPLES = (long) BUDGET * WIDTH;
  /** Sampled keys waiting to be counted, at most. */
  static final int PENDING = 1024;
  /** Samples between two drain tasks. */
  static final int DRAIN_EVERY = PENDING / 4;
  private static final int[] SEEDS = {0x9E3779B9, 0x85EBCA6B, 0xC2B2AE35, 0x27D4EB2F};

  private final int n;
  private final Executor drains;
  /**
   * The end (on the caller's clock) of the last tick whose budget was spent, {@link
   * Long#MIN_VALUE} before the first: a lookup before it is past the budget and reads nothing else.
   * Then the tick being sampled and the samples it has left. Plain fields that only sampled lookups
   * write, so that the lookups past the budget share their cache line read-only.
   */
  private long spentUntil = Long.MIN_VALUE;
  private long tick = Long.MIN_VALUE;
  private int left;
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

  /**
   * Called on every lookup of {@code key}, with the caller's clock reading {@code now} (ns); samples
   * it if its tick has budget left.
   */
  @Override
  public void hit(String key, long now) {
    if (now < spentUntil) {
      return;
    }
    long t = now >> TICK_SHIFT;
    if (t != tick) {
      tick = t;
      left = BUDGET;
    }
    if (--left <= 0) {
      spentUntil = (t + 1) << TICK_SHIFT;
    }
    add(key);
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
      out.add(new HotKey(top[i], topCounts[i]));
    }
    out.sort(Comparator.comparingLong(HotKey::requests).reversed().thenComparing(HotKey::key));
    return out;
  }
}
