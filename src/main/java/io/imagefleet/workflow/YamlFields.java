package io.imagefleet.workflow;

import io.imagefleet.ImagefleetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A mapping being read, with the path to it for messages and a record of what was read. */
final class YamlFields {
  private final Map<String, Object> map = new LinkedHashMap<>();
  private final String source;
  private final String path;
  private final java.util.Set<String> read = new java.util.HashSet<>();

  YamlFields(Object value, String source, String path) {
    this.source = source;
    this.path = path;
    if (value instanceof Map<?, ?> m) {
      m.forEach((k, v) -> map.put(String.valueOf(k), v));
    } else if (value != null) {
      throw WorkflowYaml.invalid(source, where() + "expected a mapping");
    }
  }

  List<String> keys() {
    read.addAll(map.keySet());
    return List.copyOf(map.keySet());
  }

  boolean has(String key) {
    return map.containsKey(key);
  }

  YamlFields fields(String key) {
    read.add(key);
    return new YamlFields(map.get(key), source, child(key));
  }

  String string(String key) {
    Object value = scalar(key);
    return value == null ? null : String.valueOf(value);
  }

  Object scalar(String key) {
    read.add(key);
    Object value = map.get(key);
    if (value instanceof Map<?, ?> || value instanceof List<?>) {
      throw error(key, "expected a single value");
    }
    return value;
  }

  Object scalarOrList(String key) {
    read.add(key);
    Object value = map.get(key);
    if (value instanceof Map<?, ?>) {
      throw error(key, "expected a value or a list");
    }
    return value;
  }

  boolean bool(String key, boolean fallback) {
    Object value = scalar(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    throw error(key, "expected true or false");
  }

  Integer integer(String key) {
    Object value = scalar(key);
    if (value instanceof Integer i) {
      return i;
    }
    throw error(key, "expected a number");
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> map(String key) {
    read.add(key);
    Object value = map.get(key);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?>)) {
      throw error(key, "expected a mapping");
    }
    Map<String, Object> result = new LinkedHashMap<>();
    ((Map<Object, Object>) value).forEach((k, v) -> result.put(String.valueOf(k), v));
    return result;
  }

  List<?> list(String key) {
    read.add(key);
    Object value = map.get(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw error(key, "expected a list");
    }
    return list;
  }

  /** A list of mappings, as a holder whose {@link #items()} are the entries. */
  YamlFields listFields(String key) {
    List<?> list = list(key);
    YamlFields holder = new YamlFields(null, source, child(key));
    for (int i = 0; i < list.size(); i++) {
      holder.map.put(String.valueOf(i), list.get(i));
    }
    return holder;
  }

  List<YamlFields> items() {
    List<YamlFields> items = new ArrayList<>();
    map.forEach(
        (index, value) -> items.add(new YamlFields(value, source, path + "[" + index + "]")));
    return items;
  }

  /** The keys nobody read, in their original order. */
  Map<String, Object> rest() {
    Map<String, Object> rest = new LinkedHashMap<>(map);
    rest.keySet().removeAll(read);
    return rest;
  }

  /** Fails on keys that the model would otherwise silently drop. */
  void requireConsumed() {
    Map<String, Object> rest = rest();
    if (!rest.isEmpty()) {
      String key = rest.keySet().iterator().next();
      throw error(key, "unsupported key");
    }
  }

  ImagefleetException error(String key, String message) {
    return WorkflowYaml.invalid(source, child(key) + ": " + message);
  }

  private String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private String where() {
    return path.isEmpty() ? "" : path + ": ";
  }
}
