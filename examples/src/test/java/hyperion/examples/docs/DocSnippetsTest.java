package hyperion.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ```java} block in README.md and docs/*.md is compiled and run by the build: each must
 * be, line for line (indentation aside), a region of a Java source under {@code examples/src} marked
 * {@code // <doc>:start} ... {@code // <doc>:end}, where {@code <doc>} is {@code README} or the
 * doc's path ({@code docs/caching.md}). Those sources are compiled with the examples module and
 * exercised by its tests (QuickStartTest, HttpQuickStartTest, CachingSnippetsTest, ...). A block
 * may start with a comment naming its source file, which is not part of the region.
 */
class DocSnippetsTest {

  private static final Pattern BLOCK = Pattern.compile("(?m)^( *)```java\\n(.*?)^\\1```", Pattern.DOTALL);
  private static final Pattern REGION = Pattern.compile("(?m)^[ \\t]*// (\\S+):start\\n(.*?)^[ \\t]*// \\1:end",
      Pattern.DOTALL);

  record Snippet(String doc, int line, String text) {}

  static List<Snippet> snippets() throws IOException {
    List<Path> docs = new ArrayList<>(List.of(Path.of("../README.md")));
    try (Stream<Path> s = Files.list(Path.of("../docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    List<Snippet> out = new ArrayList<>();
    for (Path doc : docs) {
      String text = Files.readString(doc);
      String name = doc.getFileName().toString().equals("README.md") ? "README" : "docs/" + doc.getFileName();
      Matcher m = BLOCK.matcher(text);
      while (m.find()) {
        String body = dedent(m.group(2));
        if (body.startsWith("// examples/")) {
          body = body.substring(body.indexOf('\n') + 1); // the pointer to the source, not part of it
        }
        out.add(new Snippet(name, text.substring(0, m.start()).split("\n", -1).length, body));
      }
    }
    return out;
  }

  static List<String> regions(String doc) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(Path.of("src"))) {
      for (Path p : s.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = REGION.matcher(Files.readString(p));
        while (m.find()) {
          if (m.group(1).equals(doc)) {
            out.add(dedent(m.group(2)));
          }
        }
      }
    }
    return out;
  }

  /** Removes the common indentation and trailing spaces. */
  static String dedent(String text) {
    List<String> lines = text.lines().map(l -> l.replaceAll("\\s+$", "")).toList();
    int indent = lines.stream().filter(l -> !l.isEmpty()).mapToInt(l -> l.length() - l.stripLeading().length())
        .min().orElse(0);
    return lines.stream().map(l -> l.isEmpty() ? l : l.substring(indent)).collect(Collectors.joining("\n", "", "\n"));
  }

  @Test
  void everyJavaBlockInTheDocsIsACompiledAndTestedRegion() throws IOException {
    List<Snippet> snippets = snippets();
    assertThat(snippets).as("java blocks found").hasSizeGreaterThanOrEqualTo(12);
    List<String> missing = new ArrayList<>();
    for (Snippet s : snippets) {
      if (!regions(s.doc()).contains(s.text())) {
        missing.add(s.doc() + ":" + s.line() + "\n" + s.text());
      }
    }
    assertThat(missing).as("java blocks without a compiled region marked // <doc>:start in examples/src")
        .isEmpty();
  }

  @Test
  void theDocsStartApplicationsThroughHyperion() throws IOException {
    for (Snippet s : snippets()) {
      assertThat(s.text()).as(s.doc() + ":" + s.line() + " builds an injector by hand; use Hyperion.start or run")
          .doesNotContain("Guice.createInjector").doesNotContain("new HyperionModule(");
    }
  }
}
