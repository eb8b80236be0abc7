package hyperion.examples.load;

/**
 * The {@code load} command: {@code LoadMain --scenario mixed --duration 10s}. Sends a bounded
 * workload to the demo's gateway (loopback only), prints throughput, latency percentiles and
 * errors, then scrapes every service's {@code /metrics} and checks that the request counters grew
 * by exactly the requests sent, that the error counts match and that spans were exported. Exit
 * status: 0 when every check passed, 1 when one failed, 2 for a bad command line.
 */
public final class LoadMain {
  private LoadMain() {}

  /**
   * Runs one scenario; see {@code docs/operations.md}.
   *
   * @param args e.g. {@code --scenario spike --rps 40 --duration 15s}
   */
  public static void main(String[] args) throws InterruptedException {
    LoadOptions options;
    try {
      options = LoadOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("load: " + e.getMessage());
      System.exit(2);
      return;
    }
    LoadRun.Result result;
    try {
      result = new LoadRun(options, System.out).run();
    } catch (IllegalStateException e) {
      System.err.println("load: " + e.getMessage());
      System.exit(1);
      return;
    }
    System.exit(result.passed() ? 0 : 1);
  }
}
