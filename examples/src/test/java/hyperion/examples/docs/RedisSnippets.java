package hyperion.examples.docs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.multibindings.OptionalBinder;
import hyperion.Hyperion;
import hyperion.caffeine.CaffeineModule;
import hyperion.redis.Codec;
import hyperion.redis.RedisModule;

/** docs/redis.md's snippets, compiled here and run by {@link RedisSnippetsTest} (the test-kit one is in it). */
final class RedisSnippets {
  private RedisSnippets() {}

  // docs/redis.md:start
  public static void main(String[] args) {
    Hyperion.run(args, new CaffeineModule(), new RedisModule());
  }
  // docs/redis.md:end

  /** A codec of the application's own: JSON without type information, thread-safe. */
  static final class MyCodec implements Codec {
    private final ObjectMapper json = new ObjectMapper();

    @Override
    public byte[] encode(Object value) throws Exception {
      return json.writeValueAsBytes(value);
    }

    @Override
    public <T> T decode(byte[] bytes, Class<T> type) throws Exception {
      return json.readValue(bytes, type);
    }
  }

  /** Binds {@link MyCodec}. */
  static final class CodecModule extends AbstractModule {
    @Override
    protected void configure() {
      // docs/redis.md:start
      OptionalBinder.newOptionalBinder(binder(), Codec.class).setBinding().to(MyCodec.class);
      // docs/redis.md:end
    }
  }
}
