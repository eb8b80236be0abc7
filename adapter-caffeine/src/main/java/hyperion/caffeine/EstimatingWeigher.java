package hyperion.caffeine;

import com.github.benmanes.caffeine.cache.Weigher;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;

/**
 * The default weigher for caches with {@code max_weight}: a rough, cheap estimate of a value's heap
 * size in bytes. Strings, arrays, boxed primitives and collections are sized by their length;
 * records are summed over their components (a few levels deep); anything else counts as 64 bytes.
 * It is meant to keep a weight bound in the right order of magnitude, not to measure memory;
 * bind your own {@code Weigher<String, Object>} when you need precision.
 */
final class EstimatingWeigher implements Weigher<String, Object> {
  static final EstimatingWeigher INSTANCE = new EstimatingWeigher();

  private static final int MAX_DEPTH = 3;
  private static final int MAX_ELEMENTS = 16; // collections are sampled, then extrapolated

  private static final ClassValue<Method[]> ACCESSORS = new ClassValue<>() {
    @Override
    protected Method[] computeValue(Class<?> type) {
      RecordComponent[] components = type.getRecordComponents();
      Method[] methods = new Method[components.length];
      for (int i = 0; i < components.length; i++) {
        methods[i] = components[i].getAccessor();
        try {
          methods[i].setAccessible(true);
        } catch (RuntimeException e) {
          return new Method[0]; // inaccessible (module rules): fall back to the flat estimate
        }
      }
      return methods;
    }
  };

  private EstimatingWeigher() {}

  @Override
  public int weigh(String key, Object value) {
    long w = 32 + key.length() + estimate(value, 0);
    return (int) Math.min(Integer.MAX_VALUE, w);
  }

  static long estimate(Object v, int depth) {
    if (v == null) {
      return 0;
    }
    if (v instanceof CharSequence s) {
      return 40 + s.length();
    }
    if (v instanceof Number || v instanceof Boolean || v instanceof Character || v instanceof Enum<?>) {
      return 16;
    }
    if (v instanceof byte[] b) {
      return 16 + b.length;
    }
    if (v instanceof char[] c) {
      return 16 + 2L * c.length;
    }
    if (v instanceof long[] l) {
      return 16 + 8L * l.length;
    }
    if (v instanceof int[] i) {
      return 16 + 4L * i.length;
    }
    if (depth >= MAX_DEPTH) {
      return 64;
    }
    if (v instanceof Collection<?> c) {
      return 32 + sampled(c, c.size(), depth);
    }
    if (v instanceof Map<?, ?> m) {
      return 48 + 2 * sampled(m.values(), m.size(), depth) + 16L * m.size();
    }
    if (v instanceof Object[] a) {
      return 16 + sampled(java.util.Arrays.asList(a), a.length, depth);
    }
    if (v instanceof Record) {
      long sum = 16;
      for (Method m : ACCESSORS.get(v.getClass())) {
        try {
          sum += 8 + estimate(m.invoke(v), depth + 1);
        } catch (ReflectiveOperationException | RuntimeException e) {
          sum += 64;
        }
      }
      return sum;
    }
    return 64;
  }

  private static long sampled(Collection<?> c, int size, int depth) {
    if (size == 0) {
      return 0;
    }
    long sum = 0;
    int n = 0;
    for (Object o : c) {
      sum += 8 + estimate(o, depth + 1);
      if (++n == MAX_ELEMENTS) {
        break;
      }
    }
    return sum * size / n;
  }
}
