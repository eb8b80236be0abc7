package hyperion;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A cache key template of an annotated method, parsed and resolved once at injector creation:
 * literal text and references in braces, {@code {0}} (a parameter by position), {@code {user}} (by
 * name) and {@code {user.id}} (a record component or public accessor {@code id()}, {@code getId()}
 * or {@code isId()} of it, resolved on the declared type). Braces cannot appear in literal text;
 * there is no expression language. A value becomes key text with {@link String#valueOf}; a {@code
 * null} anywhere in a reference makes {@link #render} return {@code null}.
 */
final class KeyTemplate {

  private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);

  /** One reference: a parameter and the accessors applied to it. */
  private record Ref(int parameter, MethodHandle[] path) {}

  /** Literal text ({@code String}) and references ({@link Ref}), in order. */
  private final Object[] parts;
  /** The parameter of the one reference when the template is exactly {@code {n}}; else -1. */
  private final int only;
  private final String text;

  private KeyTemplate(Object[] parts, String text) {
    this.parts = parts;
    this.text = text;
    this.only = parts.length == 1 && parts[0] instanceof Ref r && r.path.length == 0 ? r.parameter : -1;
  }

  /**
   * Parses {@code template} for {@code method}; an empty template means the only parameter (or,
   * when {@code bulk} is a parameter index, that parameter). References to parameter {@code bulk}
   * resolve on {@code element}, the collection's element type. Throws {@link
   * IllegalArgumentException} saying what is wrong, without naming the method (the caller does).
   */
  static KeyTemplate parse(String template, Method method, int bulk, Type element) {
    int count = method.getParameterCount();
    if (template.isEmpty()) {
      if (bulk >= 0) {
        template = "{" + bulk + "}";
      } else if (count == 1) {
        template = "{0}";
      } else {
        throw new IllegalArgumentException("a key template is required: the method has " + count + " parameters");
      }
    }
    List<Object> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    boolean usesBulk = false;
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c == '}') {
        throw bad(template, "'}' without '{' at position " + i);
      }
      if (c != '{') {
        literal.append(c);
        continue;
      }
      int end = template.indexOf('}', i);
      if (end < 0) {
        throw bad(template, "'{' at position " + i + " is not closed");
      }
      String ref = template.substring(i + 1, end);
      if (ref.indexOf('{') >= 0) {
        throw bad(template, "'{' inside a reference at position " + (i + 1 + ref.indexOf('{')));
      }
      if (literal.length() > 0) {
        parts.add(literal.toString());
        literal.setLength(0);
      }
      Ref r = resolve(template, ref, method, bulk, element);
      usesBulk |= r.parameter == bulk;
      parts.add(r);
      i = end;
    }
    if (literal.length() > 0) {
      parts.add(literal.toString());
    }
    if (bulk >= 0 && !usesBulk) {
      throw bad(template, "it must use the collection parameter {" + bulk + "}: every element needs a key of its own");
    }
    return new KeyTemplate(parts.toArray(), template);
  }

  private static Ref resolve(String template, String ref, Method method, int bulk, Type element) {
    String[] names = ref.split("\\.", -1);
    if (Arrays.stream(names).anyMatch(String::isEmpty)) {
      throw bad(template, "{" + ref + "} is not a reference: use {0}, {name} or {name.property}");
    }
    int parameter = parameter(template, names[0], method);
    Type type = parameter == bulk ? element : method.getGenericParameterTypes()[parameter];
    MethodHandle[] path = new MethodHandle[names.length - 1];
    for (int i = 1; i < names.length; i++) {
      Class<?> owner = raw(type);
      Method accessor = accessor(owner, names[i]);
      if (accessor == null) {
        throw bad(template, "{" + ref + "}: '" + names[i] + "' is not a record component or public accessor ("
            + names[i] + "(), get" + capitalized(names[i]) + "(), is" + capitalized(names[i]) + "()) of "
            + owner.getName());
      }
      path[i - 1] = handle(accessor);
      type = accessor.getGenericReturnType();
    }
    return new Ref(parameter, path);
  }

  private static int parameter(String template, String name, Method method) {
    int count = method.getParameterCount();
    if (name.chars().allMatch(Character::isDigit)) {
      int index;
      try {
        index = Integer.parseInt(name);
      } catch (NumberFormatException e) {
        index = Integer.MAX_VALUE;
      }
      if (index >= count) {
        throw bad(template, "{" + name + "}: the method has " + count + " parameter" + (count == 1 ? "" : "s")
            + " (first is {0})");
      }
      return index;
    }
    if (!Character.isJavaIdentifierStart(name.charAt(0)) || !name.chars().allMatch(Character::isJavaIdentifierPart)) {
      throw bad(template, "'" + name + "' is neither a parameter index nor a parameter name");
    }
    var parameters = method.getParameters();
    for (int i = 0; i < count; i++) {
      if (!parameters[i].isNamePresent()) {
        throw bad(template, "parameter names are not in the class file (compile with javac -parameters, Maven:"
            + " <parameters>true</parameters>); use an index such as {" + i + "}");
      }
      if (parameters[i].getName().equals(name)) {
        return i;
      }
    }
    throw bad(template, "no parameter named '" + name + "' (parameters: "
        + Arrays.stream(parameters).map(java.lang.reflect.Parameter::getName).collect(Collectors.joining(", ")) + ")");
  }

  /** The record component accessor, else the public {@code name()}, {@code getName()} or {@code isName()}. */
  private static Method accessor(Class<?> owner, String name) {
    if (owner.isRecord()) {
      for (RecordComponent c : owner.getRecordComponents()) {
        if (c.getName().equals(name)) {
          return c.getAccessor();
        }
      }
    }
    for (String candidate : List.of(name, "get" + capitalized(name), "is" + capitalized(name))) {
      try {
        Method m = owner.getMethod(candidate);
        if (!Modifier.isStatic(m.getModifiers()) && m.getReturnType() != void.class) {
          return m;
        }
      } catch (NoSuchMethodException e) {
        // next candidate
      }
    }
    return null;
  }

  private static MethodHandle handle(Method accessor) {
    try {
      accessor.setAccessible(true); // a public accessor of a package-private record, say
    } catch (RuntimeException e) {
      // not opened to us: unreflect works for public members of exported packages anyway
    }
    try {
      return MethodHandles.lookup().unreflect(accessor).asType(GETTER);
    } catch (IllegalAccessException e) {
      throw new IllegalArgumentException("cannot call " + accessor + ": " + e.getMessage(), e);
    }
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class; // a type variable or wildcard: only Object's accessors, so none
  }

  private static String capitalized(String name) {
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  private static IllegalArgumentException bad(String template, String problem) {
    return new IllegalArgumentException("bad key template \"" + template + "\": " + problem);
  }

  /** The key for a call with {@code args}; {@code null} when a referenced value is {@code null}. */
  String render(Object[] args) {
    if (only >= 0) {
      Object v = args[only];
      return v == null ? null : v instanceof String s ? s : String.valueOf(v);
    }
    return render(args, -1, null);
  }

  /** The key of one element of a bulk call's collection (parameter {@code bulk}). */
  String render(Object[] args, int bulk, Object element) {
    StringBuilder sb = new StringBuilder(32);
    for (Object part : parts) {
      if (part instanceof String s) {
        sb.append(s);
        continue;
      }
      Ref r = (Ref) part;
      Object v = r.parameter == bulk ? element : args[r.parameter];
      for (MethodHandle accessor : r.path) {
        if (v == null) {
          break;
        }
        try {
          v = (Object) accessor.invokeExact(v);
        } catch (RuntimeException | Error e) {
          throw e;
        } catch (Throwable e) {
          throw new java.lang.reflect.UndeclaredThrowableException(e);
        }
      }
      if (v == null) {
        return null;
      }
      sb.append(v);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return text;
  }
}
