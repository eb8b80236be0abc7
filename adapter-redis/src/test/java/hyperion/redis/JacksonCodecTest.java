package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The default codec never instantiates a class named by the payload. */
class JacksonCodecTest {

  /** Counts its instantiations; a payload naming it must never create one. */
  public static final class Canary {
    static final AtomicInteger CREATED = new AtomicInteger();
    public String x;

    public Canary() {
      CREATED.incrementAndGet();
    }
  }

  record Holder(String id, Object payload) {}

  record Stamped(String id, Instant at, Optional<String> note) {}

  private final JacksonCodec codec = new JacksonCodec();

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void classNamePropertiesAreDataNotTypes() throws Exception {
    String canary = Canary.class.getName();
    int created = Canary.CREATED.get();
    Object asObject = codec.decode(json("{\"@class\":\"" + canary + "\",\"x\":\"1\"}"), Object.class);
    assertThat(asObject).isInstanceOf(Map.class);
    Object wrapped = codec.decode(json("[\"" + canary + "\",{\"x\":\"1\"}]"), Object.class);
    assertThat(wrapped).isInstanceOf(List.class);
    Holder h = codec.decode(json("{\"id\":\"a\",\"payload\":{\"@class\":\"" + canary + "\",\"x\":\"1\"}}"),
        Holder.class);
    assertThat(h.payload()).isInstanceOf(Map.class);
    // The classic gadget: with default typing off it is just a map.
    Object gadget = codec.decode(json("[\"java.lang.ProcessBuilder\",{\"command\":[\"touch\",\"/tmp/pwned\"]}]"),
        Object.class);
    assertThat(gadget).isInstanceOf(List.class);
    assertThat(Canary.CREATED).hasValue(created);
  }

  @Test
  void roundTripsRecordsWithJavaTime() throws Exception {
    Stamped s = new Stamped("a", Instant.parse("2024-01-02T03:04:05.123Z"), Optional.of("n"));
    assertThat(codec.decode(codec.encode(s), Stamped.class)).isEqualTo(s);
    assertThat(new String(codec.encode(s), StandardCharsets.UTF_8)).contains("2024-01-02T03:04:05.123Z");
  }

  @Test
  void corruptOrForeignBytesThrow() {
    assertThatThrownBy(() -> codec.decode(new byte[] {(byte) 0xff, 0x00, 0x13}, Stamped.class))
        .isInstanceOf(Exception.class);
    assertThatThrownBy(() -> codec.decode(json("{\"id\":\"a\",\"unknown\":1}"), Stamped.class))
        .isInstanceOf(Exception.class);
    assertThatThrownBy(() -> codec.decode(json("\"text\""), Stamped.class)).isInstanceOf(Exception.class);
    assertThatThrownBy(() -> codec.decode(json("{} trailing"), Map.class)).isInstanceOf(Exception.class);
  }
}
