package hyperion.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Hit-rate simulation (not a timing benchmark): a Zipf workload replayed against Caffeine's
 * W-TinyLFU, an LRU ({@link LinkedHashMap} in access order) and Bélády's offline optimum, each the
 * size of L1; then an L1 (Caffeine) + L2 (LRU, larger) pair for the combined hit rate. The first
 * half of the trace warms the caches up; rates are counted over the second half only.
 */
public final class HitRateSimulation {

  /** The workload and cache sizes. */
  public record Params(double exponent, int keys, int requests, int l1Size, int l2Size, long seed) {
    /** s=0.99, 1M keys, L1 = 1 % of the keys, L2 = 10 % of the keys (LRU, like Redis allkeys-lru). */
    public static Params standard(int requests) {
      return new Params(0.99, 1_000_000, requests, 10_000, 100_000, 42);
    }
  }

  /** Hit rates over the measured half of the trace, 0 to 1. */
  public record Result(Params params, double tinyLfu, double lru, double optimum, double combined,
      double l2OfL1Misses, double combinedUnboundedL2) {}

  private HitRateSimulation() {}

  /** Runs the simulation. */
  public static Result run(Params p) {
    int[] trace = zipfTrace(p);
    int warm = p.requests() / 2;
    double tinyLfu = caffeine(trace, p.l1Size(), warm);
    double lru = lru(trace, p.l1Size(), warm);
    double opt = belady(trace, p.l1Size(), warm);
    double[] combined = combined(trace, p.l1Size(), p.l2Size(), warm);
    double[] unbounded = combined(trace, p.l1Size(), p.keys(), warm);
    return new Result(p, tinyLfu, lru, opt, combined[0], combined[1], unbounded[0]);
  }

  /** Keys drawn from Zipf(s) over ranks 0..keys-1 by inverting the CDF. */
  static int[] zipfTrace(Params p) {
    double[] cdf = new double[p.keys()];
    double sum = 0;
    for (int k = 0; k < p.keys(); k++) {
      sum += 1.0 / Math.pow(k + 1, p.exponent());
      cdf[k] = sum;
    }
    for (int k = 0; k < p.keys(); k++) {
      cdf[k] /= sum;
    }
    SplittableRandom random = new SplittableRandom(p.seed());
    int[] trace = new int[p.requests()];
    for (int i = 0; i < trace.length; i++) {
      int idx = Arrays.binarySearch(cdf, random.nextDouble());
      trace[i] = Math.min(idx < 0 ? -idx - 1 : idx, p.keys() - 1);
    }
    return trace;
  }

  static double caffeine(int[] trace, int size, int warm) {
    Cache<Integer, Boolean> cache = Caffeine.newBuilder().maximumSize(size).executor(Runnable::run).build();
    long hits = 0;
    for (int i = 0; i < trace.length; i++) {
      Integer key = trace[i];
      if (cache.getIfPresent(key) != null) {
        if (i >= warm) {
          hits++;
        }
      } else {
        cache.put(key, Boolean.TRUE);
      }
    }
    return hits / (double) (trace.length - warm);
  }

  static final class Lru extends LinkedHashMap<Integer, Boolean> {
    private final int size;

    Lru(int size) {
      super(size * 2, 0.75f, true);
      this.size = size;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
      return size() > size;
    }
  }

  static double lru(int[] trace, int size, int warm) {
    Lru lru = new Lru(size);
    long hits = 0;
    for (int i = 0; i < trace.length; i++) {
      if (lru.get(trace[i]) != null) {
        if (i >= warm) {
          hits++;
        }
      } else {
        lru.put(trace[i], Boolean.TRUE);
      }
    }
    return hits / (double) (trace.length - warm);
  }

  /** Bélády's MIN: on a miss with a full cache, evict the entry whose next use is farthest away. */
  static double belady(int[] trace, int size, int warm) {
    int n = trace.length;
    int[] next = new int[n];
    int maxKey = 0;
    for (int k : trace) {
      maxKey = Math.max(maxKey, k);
    }
    int[] last = new int[maxKey + 1];
    Arrays.fill(last, Integer.MAX_VALUE);
    for (int i = n - 1; i >= 0; i--) {
      // Never used again: a distinct position past the end so the ordering stays strict.
      next[i] = last[trace[i]] == Integer.MAX_VALUE ? n + trace[i] : last[trace[i]];
      last[trace[i]] = i;
    }
    // Cached keys are identified by their next-use position (unique per key in the cache).
    TreeSet<Integer> byNextUse = new TreeSet<>();
    long hits = 0;
    for (int i = 0; i < n; i++) {
      if (byNextUse.remove(i)) {
        if (i >= warm) {
          hits++;
        }
      } else if (byNextUse.size() >= size) {
        int farthest = byNextUse.last();
        if (farthest <= next[i]) {
          continue; // bypass: the new key is the one used farthest in the future
        }
        byNextUse.pollLast();
      }
      byNextUse.add(next[i]);
    }
    return hits / (double) (n - warm);
  }

  /** {combined hit rate, L2 hit rate among L1 misses}: L1 Caffeine in front of a larger LRU L2. */
  static double[] combined(int[] trace, int l1Size, int l2Size, int warm) {
    Cache<Integer, Boolean> l1 = Caffeine.newBuilder().maximumSize(l1Size).executor(Runnable::run).build();
    Lru l2 = new Lru(l2Size);
    long l1Hits = 0;
    long l2Hits = 0;
    long l1Misses = 0;
    for (int i = 0; i < trace.length; i++) {
      Integer key = trace[i];
      boolean measured = i >= warm;
      if (l1.getIfPresent(key) != null) {
        if (measured) {
          l1Hits++;
        }
        continue;
      }
      if (measured) {
        l1Misses++;
      }
      if (l2.get(key) != null) {
        if (measured) {
          l2Hits++;
        }
      } else {
        l2.put(key, Boolean.TRUE); // loader result written through to L2
      }
      l1.put(key, Boolean.TRUE);
    }
    double total = trace.length - warm;
    return new double[] {(l1Hits + l2Hits) / total, l1Misses == 0 ? 0 : l2Hits / (double) l1Misses};
  }

  /** Prints the rates for a run of {@code args[0]} requests (default 10M). */
  public static void main(String[] args) {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
    long t0 = System.nanoTime();
    Result r = run(Params.standard(requests));
    System.out.printf("%s%nW-TinyLFU %.4f  LRU %.4f  optimum %.4f  combined %.4f (L2 hit among L1 misses %.4f)"
        + "  combined with L2 holding every key %.4f  %.1f s%n",
        r.params(), r.tinyLfu(), r.lru(), r.optimum(), r.combined(), r.l2OfL1Misses(), r.combinedUnboundedL2(),
        (System.nanoTime() - t0) / 1e9);
  }
}
