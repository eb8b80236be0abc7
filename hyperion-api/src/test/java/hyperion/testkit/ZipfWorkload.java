package hyperion.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.Cache;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A skewed workload for {@code hot_keys}: {@value #LOOKUPS} lookups of the keys {@code user-0} to
 * {@code user-9999}, key {@code user-r} drawn with a probability proportional to 1/(r + 1)<sup>1.1</sup>
 * (Zipf), and the check that a hot-key list heads it.
 */
public final class ZipfWorkload {
  /** Lookups per run. */
  public static final int LOOKUPS = 2_000_000;
  private static final int KEYS = 10_000;
  private static final double EXPONENT = 1.1;

  private final double[] cdf = new double[KEYS];
  private final Random random;

  /** A workload whose draws follow {@code seed}. */
  public ZipfWorkload(long seed) {
    double sum = 0;
    for (int k = 1; k <= KEYS; k++) {
      sum += 1 / Math.pow(k, EXPONENT);
      cdf[k - 1] = sum;
    }
    for (int i = 0; i < KEYS; i++) {
      cdf[i] /= sum;
    }
    random = new Random(seed);
  }

  /** A rank from 0 (the most frequent) to {@code KEYS - 1}. */
  private int next() {
    int i = Arrays.binarySearch(cdf, random.nextDouble());
    return Math.min(KEYS - 1, i >= 0 ? i : -i - 1);
  }

  /** Runs the lookups on {@code cache} as fast as it answers: {@code getIfPresent} and {@code getOrLoad} in turn. */
  public void run(Cache cache) {
    for (int i = 0; i < LOOKUPS; i++) {
      String key = "user-" + next();
      if ((i & 1) == 0) {
        cache.getIfPresent(key, String.class);
      } else {
        cache.getOrLoad(key, String.class, null, k -> k);
      }
    }
  }

  /**
   * Checks a hot-key list of at least 5 keys, most requested first: the 5 most requested keys head
   * it in some order, {@code user-0} first, and every key in it is among the 20 most requested.
   */
  public static void assertHeads(List<String> listed) {
    Set<String> head = IntStream.range(0, 5).mapToObj(i -> "user-" + i).collect(Collectors.toSet());
    Set<String> top20 = IntStream.range(0, 20).mapToObj(i -> "user-" + i).collect(Collectors.toSet());
    assertThat(listed.subList(0, 5)).as("the five most requested keys of %s", listed)
        .containsExactlyInAnyOrderElementsOf(head);
    assertThat(listed).as("every listed key is in the true top 20").allMatch(top20::contains);
    assertThat(listed.get(0)).isEqualTo("user-0");
  }
}
