package hyperion;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.cache.LocalLayer;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

/**
 * Where HotSpot puts the fields of {@link TimedValue} (with its default compressed pointers): the
 * four that a hit reads lie in bytes 12 to 31, after the class pointer, so a hit reads one cache
 * line for six of the eight positions an object can take in a line. A field added or reordered
 * that moved one of them further out shows here, not only as a slower hit in the benchmarks.
 */
class TimedValueLayoutTest {

  @Test
  void theFieldsAHitReadsFollowTheHeader() throws Exception {
    Field theUnsafe = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
    theUnsafe.setAccessible(true);
    sun.misc.Unsafe unsafe = (sun.misc.Unsafe) theUnsafe.get(null);
    for (Field f : new Field[] {LocalLayer.Timed.class.getDeclaredField("due"),
        LocalLayer.Timed.class.getDeclaredField("dueAt"), LocalLayer.Timed.class.getDeclaredField("value"),
        TimedValue.class.getDeclaredField("valueClass")}) {
      @SuppressWarnings("deprecation") // objectFieldOffset is what tells the layout
      long offset = unsafe.objectFieldOffset(f);
      assertThat(offset).as(f.getName()).isBetween(12L, 31L);
    }
  }
}
