package hyperion;

import static org.assertj.core.api.Assertions.assertThat;

import hyperion.cache.LocalLayer;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/**
 * Where HotSpot puts the fields of {@link TimedValue} (with its default compressed pointers): the
 * three that a hit reads lie in bytes 12 to 27, after the class pointer, so a hit reads one cache
 * line for most of the positions an object can take in a line, and the whole object fits in 40
 * bytes. A field added or reordered that moved one of them further out, or made every L1 entry
 * larger, shows here, not only as a slower hit in the benchmarks.
 */
class TimedValueLayoutTest {

  @Test
  void theFieldsAHitReadsFollowTheHeaderAndTheObjectIsFortyBytes() throws Exception {
    Field theUnsafe = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
    theUnsafe.setAccessible(true);
    sun.misc.Unsafe unsafe = (sun.misc.Unsafe) theUnsafe.get(null);
    for (Field f : new Field[] {LocalLayer.Timed.class.getDeclaredField("freshClass"),
        LocalLayer.Timed.class.getDeclaredField("dueAt"), LocalLayer.Timed.class.getDeclaredField("value")}) {
      @SuppressWarnings("deprecation") // objectFieldOffset is what tells the layout
      long offset = unsafe.objectFieldOffset(f);
      assertThat(offset).as(f.getName()).isBetween(12L, 27L);
    }
    for (Class<?> c : new Class<?>[] {LocalLayer.Timed.class, TimedValue.class}) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        @SuppressWarnings("deprecation")
        long end = unsafe.objectFieldOffset(f) + (f.getType() == long.class ? 8 : 4);
        assertThat(end).as("the end of %s", f.getName()).isLessThanOrEqualTo(40L);
      }
    }
  }
}
