package hyperion.redis;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.codec.ToByteBufEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/**
 * Keys as UTF-8 strings, values as raw bytes (the {@link Codec} owns their format), written
 * straight into Lettuce's command buffer. {@code RedisCodec.of(StringCodec.UTF8,
 * ByteArrayCodec.INSTANCE)} holds the same data but is no {@link ToByteBufEncoder}, so Lettuce
 * encodes every key and value of it into a {@link ByteBuffer} of its own and copies that again: a
 * hundred of them per {@code getAll(100)}.
 *
 * <p>Sizes are exact ({@link ByteBufUtil#utf8Bytes} counts what {@link ByteBufUtil#writeUtf8}
 * writes, unpaired surrogates included), so Lettuce writes the length prefix first and encodes
 * in place. {@link #encodeKey(String)}, which Lettuce uses to route Cluster keys to hash slots,
 * encodes the same way, so a key's slot is computed from the bytes that are sent.
 */
final class StringBytesCodec implements RedisCodec<String, byte[]>, ToByteBufEncoder<String, byte[]> {

  static final StringBytesCodec INSTANCE = new StringBytesCodec();

  private StringBytesCodec() {}

  @Override
  public String decodeKey(ByteBuffer bytes) {
    return StringCodec.UTF8.decodeKey(bytes);
  }

  @Override
  public byte[] decodeValue(ByteBuffer bytes) {
    return ByteArrayCodec.INSTANCE.decodeValue(bytes);
  }

  @Override
  public ByteBuffer encodeKey(String key) {
    if (key == null) {
      return ByteBuffer.allocate(0);
    }
    ByteBuf buf = Unpooled.buffer(estimateSize(key));
    encodeKey(key, buf); // the bytes the command carries, so the slot is hashed from them
    return buf.nioBuffer();
  }

  @Override
  public ByteBuffer encodeValue(byte[] value) {
    return ByteArrayCodec.INSTANCE.encodeValue(value);
  }

  @Override
  public void encodeKey(String key, ByteBuf target) {
    if (key != null) {
      ByteBufUtil.writeUtf8(target, key);
    }
  }

  @Override
  public void encodeValue(byte[] value, ByteBuf target) {
    if (value != null) {
      target.writeBytes(value);
    }
  }

  @Override
  public int estimateSize(Object keyOrValue) {
    if (keyOrValue instanceof byte[] bytes) {
      return bytes.length;
    }
    return keyOrValue instanceof String s ? ByteBufUtil.utf8Bytes(s) : 0;
  }

  @Override
  public boolean isEstimateExact() {
    return true;
  }
}
