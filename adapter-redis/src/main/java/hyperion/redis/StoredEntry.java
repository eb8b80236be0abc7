package hyperion.redis;

import hyperion.cache.RemoteEntry;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The format of a cache entry in Redis, and one entry as read. A stored value is a 26-byte header
 * followed by the codec's bytes:
 *
 * <pre>
 * byte 0      0xFE (no JSON, Smile, CBOR, protobuf or Java serialization payload starts with it)
 * byte 1      1 = value, 2 = tombstone (a delete's fence, no payload)
 * bytes 2-9   expires at, epoch milliseconds of the writer's clock (big-endian)
 * bytes 10-17 written at, epoch milliseconds of the writer's clock
 * bytes 18-25 a random nonce, so every write's header is unique
 * </pre>
 *
 * <p>The header makes one {@code GET} (or {@code MGET}) enough to know an entry's remaining
 * time-to-live, and lets a conditional write compare 26 bytes instead of the whole value. A value
 * without the header (written by another program) is read as codec bytes with an unknown expiry.
 */
final class StoredEntry implements RemoteEntry {
  static final int HEADER = 26;
  static final byte MAGIC = (byte) 0xFE;
  static final byte VALUE = 1;
  static final byte TOMBSTONE = 2;

  /** The read of a key that holds nothing. */
  static final StoredEntry ABSENT = new StoredEntry(null, null);

  private final byte[] bytes;
  private final Codec codec;

  private StoredEntry(byte[] bytes, Codec codec) {
    this.bytes = bytes;
    this.codec = codec;
  }

  /** The entry Redis returned ({@code null}: the key holds nothing). */
  static StoredEntry read(byte[] bytes, Codec codec) {
    return bytes == null ? ABSENT : new StoredEntry(bytes, codec);
  }

  /** The bytes to store for {@code payload}, expiring {@code ttlMillis} from now. */
  static byte[] value(byte[] payload, long ttlMillis) {
    byte[] out = new byte[HEADER + payload.length];
    header(out, VALUE, ttlMillis);
    System.arraycopy(payload, 0, out, HEADER, payload.length);
    return out;
  }

  /** The bytes of a tombstone that lasts {@code ttlMillis}. */
  static byte[] tombstone(long ttlMillis) {
    byte[] out = new byte[HEADER];
    header(out, TOMBSTONE, ttlMillis);
    return out;
  }

  /** The first two bytes of every tombstone, as {@code GETRANGE key 0 1} returns them. */
  static byte[] tombstonePrefix() {
    return new byte[] {MAGIC, TOMBSTONE};
  }

  private static void header(byte[] out, byte kind, long ttlMillis) {
    long now = System.currentTimeMillis();
    ByteBuffer b = ByteBuffer.wrap(out);
    b.put(MAGIC).put(kind).putLong(now + ttlMillis).putLong(now).putLong(ThreadLocalRandom.current().nextLong());
  }

  /**
   * Whether {@code head} (the first 10 bytes of a key, as {@code GETRANGE key 0 9} returns them)
   * is a live value at {@code nowMillis}: a value without a header, or one whose expiry is later.
   */
  static boolean liveHeader(byte[] head, long nowMillis) {
    if (head == null || head.length == 0) {
      return false;
    }
    if (head.length < 10 || head[0] != MAGIC || (head[1] != VALUE && head[1] != TOMBSTONE)) {
      return true; // written by another program: live while Redis keeps it
    }
    return head[1] == VALUE && ByteBuffer.wrap(head, 2, 8).getLong() > nowMillis;
  }

  private boolean hasHeader() {
    return bytes != null && bytes.length >= HEADER && bytes[0] == MAGIC && (bytes[1] == VALUE || bytes[1] == TOMBSTONE);
  }

  /** Whether the key held nothing at all (no value, no tombstone). */
  boolean absent() {
    return bytes == null;
  }

  @Override
  public boolean present() {
    return bytes != null && !(hasHeader() && bytes[1] == TOMBSTONE);
  }

  @Override
  public <T> T decode(Class<T> type) throws Exception {
    if (!present()) {
      throw new IllegalStateException("no value to decode");
    }
    return hasHeader() ? codec.decode(bytes, HEADER, bytes.length - HEADER, type)
        : codec.decode(bytes, 0, bytes.length, type);
  }

  @Override
  public Object decode(java.lang.reflect.Type type) throws Exception {
    if (!present()) {
      throw new IllegalStateException("no value to decode");
    }
    return hasHeader() ? codec.decode(bytes, HEADER, bytes.length - HEADER, type)
        : codec.decode(bytes, 0, bytes.length, type);
  }

  @Override
  public long expiresAtMillis() {
    return present() && hasHeader() ? ByteBuffer.wrap(bytes, 2, 8).getLong() : 0;
  }

  /** {@inheritDoc} From the header; 0 for a value without one. */
  @Override
  public long writtenAtMillis() {
    return hasHeader() ? ByteBuffer.wrap(bytes, 10, 8).getLong() : 0;
  }

  /**
   * What a conditional write compares the key's current bytes with: the header when there is one
   * (unique per write), else the whole value.
   */
  byte[] identity() {
    return hasHeader() ? Arrays.copyOf(bytes, HEADER) : bytes;
  }

  /** Whether {@link #identity()} is a header (compared with {@code GETRANGE}) rather than a whole value. */
  boolean identityIsHeader() {
    return hasHeader();
  }

  @Override
  public String toString() {
    return bytes == null ? "StoredEntry[absent]" : present() ? "StoredEntry[value]" : "StoredEntry[tombstone]";
  }
}
