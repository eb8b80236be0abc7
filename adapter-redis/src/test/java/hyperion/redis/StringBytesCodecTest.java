package hyperion.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.codec.StringCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StringBytesCodecTest {

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static byte[] written(String key) {
    ByteBuf target = Unpooled.buffer();
    StringBytesCodec.INSTANCE.encodeKey(key, target);
    byte[] out = new byte[target.readableBytes()];
    target.readBytes(out);
    return out;
  }

  /** The size Lettuce writes before the key is the size of the key written, and slots hash the same bytes. */
  @ParameterizedTest
  @ValueSource(strings = {"plain", "ключ", "键", "emoji-\uD83D\uDE00", "e\u0301", "lone-\uD800", "lone-\uDC00x", ""})
  void keysAreWrittenAsTheSizeAndTheSlotBytesSay(String key) {
    byte[] direct = written(key);
    assertThat(StringBytesCodec.INSTANCE.estimateSize(key)).isEqualTo(direct.length);
    assertThat(bytes(StringBytesCodec.INSTANCE.encodeKey(key))).isEqualTo(direct);
    if (key.contains("lone")) {
      // No UTF-8 form: sent as '?' (docs/redis.md), the same in the command and in the slot hash.
      StringBuilder expected = new StringBuilder();
      key.chars().forEach(c -> expected.append(Character.isSurrogate((char) c) ? '?' : (char) c));
      assertThat(new String(direct, StandardCharsets.UTF_8)).isEqualTo(expected.toString());
    } else {
      assertThat(direct).isEqualTo(key.getBytes(StandardCharsets.UTF_8));
      assertThat(StringBytesCodec.INSTANCE.decodeKey(ByteBuffer.wrap(direct))).isEqualTo(key);
      assertThat(bytes(StringCodec.UTF8.encodeKey(key))).isEqualTo(direct);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 26, 4096})
  void valuesAreWrittenAsTheyAre(int size) {
    byte[] value = new byte[size];
    for (int i = 0; i < size; i++) {
      value[i] = (byte) (i * 31);
    }
    ByteBuf target = Unpooled.buffer();
    StringBytesCodec.INSTANCE.encodeValue(value, target);
    assertThat(StringBytesCodec.INSTANCE.estimateSize(value)).isEqualTo(target.readableBytes()).isEqualTo(size);
    assertThat(bytes(target.nioBuffer())).isEqualTo(value);
    assertThat(StringBytesCodec.INSTANCE.decodeValue(ByteBuffer.wrap(value))).isEqualTo(value);
  }
}
