package hyperion.benchmarks;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;

/**
 * A Logback appender that encodes every event with its encoder, as a console or file appender
 * would, and drops the bytes: the benchmarks pay for formatting (correlation keys included) but not
 * for a terminal. {@link #bytes()} tells how much was encoded, so the work cannot be optimised away.
 */
public final class DiscardingAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  private Encoder<ILoggingEvent> encoder;
  private long bytes;
  private byte[] last = new byte[0];

  /** Set by Logback from the {@code <encoder>} element. */
  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("no encoder set for the appender named " + name);
      return;
    }
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    byte[] encoded = encoder.encode(event);
    bytes += encoded.length;
    last = encoded;
  }

  /** The bytes encoded so far (not synchronized: the benchmarks read it for a sanity check only). */
  public long bytes() {
    return bytes;
  }

  /** The last encoded line, for the test that checks the set-up correlates. */
  public byte[] last() {
    return last;
  }
}
