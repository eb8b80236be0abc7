package hyperion;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The most requested keys of one cache, estimated in bounded memory: one lookup in {@value
 * #SAMPLE} is counted in a count-min sketch ({@value #DEPTH} rows of {@value #WIDTH} counters), and
 * the {@code n} keys with the highest estimates are kept beside it. Every {@value #AGING_SAMPLES}
 * samples all counts are halved, so the list follows recent traffic. Counting is racy on purpose (a
 * lost increment only blurs an estimate); the top list is guarded by this object's lock, which a
 * sample takes only when its key's estimate beats the list's smallest.
 */
final class HotKeySketch {
  /** One lookup in this many is counted. */
  static final int SAMPLE = 16;
  static final int DEPTH = 4;
  static final int WIDTH = 1024;
  /** Samples between two halvings of every count. */
  static final long AGING_SAMPLES = 10L * WIDTH;
  private static final int[] SEEDS = {0x9E3779B9, 0x85EBCA6B, 0xC2B2AE35, 0x27D4EB2F};

  private final int n;
  private final int[] counts = new int[DEPTH * WIDTH];
  private final AtomicLong samples = new AtomicLong();
  private final String[] top;
  private final int[] topCounts;
  private int size;
  /** The smallest count in the top list once it is full, else 0: a sample below it takes no lock. */
  private volatile int floor;

  /** A sketch that keeps the {@code n} most requested keys. */
  HotKeySketch(int n) {
    this.n = n;
    this.top = new String[n];
    this.topCounts = new int[n];
  }

  /** Called on every lookup of {@code key}; counts one in {@value #SAMPLE}. */
  void sample(String key) {
    if ((ThreadLocalRandom.current().nextInt() & (SAMPLE - 1)) == 0) {
      record(key);
    }
  }

  /** Counts one sampled lookup of {@code key}. */
  void record(String key) {
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
    if (samples.incrementAndGet() % AGING_SAMPLES == 0) {
      age();
    }
  }

  private synchronized void offer(String key, int estimate) {
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

  private synchronized void age() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] >>>= 1;
    }
    for (int i = 0; i < size; i++) {
      topCounts[i] >>>= 1;
    }
    updateFloor();
  }

  /** The kept keys, most requested first, with their estimated lookups. */
  synchronized List<HotKey> top() {
    List<HotKey> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(new HotKey(top[i], (long) topCounts[i] * SAMPLE));
    }
    out.sort(Comparator.comparingLong(HotKey::requests).reversed().thenComparing(HotKey::key));
    return out;
  }
}
