package hyperion.examples.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code io.hyperion:hyperion-bom} pins every library module of the build at the build's version,
 * and nothing else (importing it must not pin third-party versions); README shows how to import it.
 */
class BomTest {

  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
  private static final Pattern ARTIFACT = Pattern.compile(
      "<dependency>\\s*<groupId>([^<]+)</groupId>\\s*<artifactId>([^<]+)</artifactId>\\s*<version>([^<]+)</version>");

  @Test
  void theBomListsEveryLibraryModuleAndOnlyThem() throws Exception {
    String parent = Files.readString(Path.of("../pom.xml"));
    String version = first(parent, "<version>([^<]+)</version>");
    List<String> libraries = new ArrayList<>();
    Matcher m = MODULE.matcher(parent);
    while (m.find()) {
      String module = m.group(1);
      // Libraries are what users depend on: not the BOM itself, the demo or the benchmarks.
      if (!List.of("hyperion-bom", "examples", "benchmarks").contains(module)) {
        libraries.add(module);
      }
    }
    assertThat(libraries).contains("hyperion-api", "adapter-redis", "adapter-micrometer");

    String bom = Files.readString(Path.of("../hyperion-bom/pom.xml"));
    assertThat(bom).doesNotContain("<parent>");
    assertThat(first(bom, "<artifactId>([^<]+)</artifactId>")).isEqualTo("hyperion-bom");
    assertThat(first(bom, "<version>([^<]+)</version>")).isEqualTo(version);
    List<String> pinned = new ArrayList<>();
    Matcher d = ARTIFACT.matcher(bom);
    while (d.find()) {
      assertThat(d.group(1)).isEqualTo("io.hyperion");
      assertThat(d.group(3)).isEqualTo("${project.version}");
      pinned.add(d.group(2));
    }
    assertThat(pinned).containsExactlyInAnyOrderElementsOf(libraries);

    String readme = Files.readString(Path.of("../README.md"));
    assertThat(readme).contains("<artifactId>hyperion-bom</artifactId>\n      <version>" + version + "</version>\n"
        + "      <type>pom</type>\n      <scope>import</scope>");
  }

  private static String first(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text.substring(text.indexOf("</parent>") + 1));
    assertThat(m.find()).as(regex).isTrue();
    return m.group(1);
  }
}
