package hyperion.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The statistics of {@link PairedRunner}: the median, its order-statistics interval and the verdict. */
class PairedRunnerTest {

  @Test
  void binomialTailIsTheChanceOfFewerThanKUnderTheMedian() {
    assertThat(PairedRunner.binomialTail(10, 0)).isZero();
    assertThat(PairedRunner.binomialTail(10, 1)).isCloseTo(1 / 1024.0, within(1e-12));
    assertThat(PairedRunner.binomialTail(10, 2)).isCloseTo(11 / 1024.0, within(1e-12));
    assertThat(PairedRunner.binomialTail(10, 11)).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void tenRoundsUseTheSecondAndNinthRatiosAtNinetySevenPointNinePerCent() {
    double[] ratios = {1.09, 1.01, 0.97, 1.04, 1.00, 1.02, 0.99, 1.03, 1.05, 0.98};
    String line = PairedRunner.summarize("x", ratios, 1.03);
    assertThat(line).isEqualTo("x: median ratio 1.015 over 10 rounds, 97.9 % interval [0.980, 1.050];"
        + " target <= 1.03: INCONCLUSIVE (the interval straddles it)");
  }

  @Test
  void theVerdictNeedsTheWholeIntervalOnOneSide() {
    double[] under = {1.00, 1.01, 1.02, 1.00, 0.99, 1.01, 1.00, 1.02, 0.98, 1.01};
    assertThat(PairedRunner.summarize("a", under, 1.03)).endsWith("MET (the interval is under it)");
    double[] over = {1.10, 1.11, 1.12, 1.10, 1.09, 1.11, 1.10, 1.12, 1.08, 1.11};
    assertThat(PairedRunner.summarize("b", over, 1.03)).endsWith("MISSED (the interval is over it)");
    assertThat(PairedRunner.summarize("c", over, Double.NaN)).doesNotContain("target");
    // Five rounds all far over the target: their widest interval covers 93.8 %, too little for a verdict.
    assertThat(PairedRunner.summarize("e", new double[] {1.10, 1.11, 1.12, 1.10, 1.09}, 1.03))
        .isEqualTo("e: median ratio 1.100 over 5 rounds, 93.8 % interval [1.090, 1.120];"
            + " target <= 1.03: INCONCLUSIVE (a 95 % interval needs 6 rounds or more)");
  }

  @Test
  void thirtyRoundsNarrowTheInterval() {
    double[] ratios = new double[30];
    for (int i = 0; i < 30; i++) {
      ratios[i] = 1 + i / 100.0;
    }
    // P(X < 10) for X ~ Binomial(30, 1/2) is 0.0214, P(X < 11) is 0.0494: the 10th and 21st ratios.
    assertThat(PairedRunner.summarize("d", ratios, Double.NaN))
        .isEqualTo("d: median ratio 1.145 over 30 rounds, 95.7 % interval [1.090, 1.200]");
  }
}
