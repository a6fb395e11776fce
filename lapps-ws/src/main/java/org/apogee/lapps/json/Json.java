package org.apogee.lapps.json;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON value model behind {@code nljson}, the LAppS payloads and the {@code mqr} queues. A value
 * is one of: {@link #NULL}, {@link Boolean}, {@link Long} (an integer), {@link Double} (a float),
 * {@link String}, {@link JsonArray} or {@link JsonObject}. Containers are mutable and shared by
 * reference, which is what makes {@code nljson} views live.
 *
 * <p>Objects keep their keys sorted by code point (the byte order of their UTF-8 form), as the
 * original server's JSON library does: encoded text and CBOR list keys in that order.
 */
public final class Json {

    /** JSON {@code null}. */
    public enum Null { NULL; @Override public String toString() { return "null"; } }

    public static final Null NULL = Null.NULL;

    /** Code point order, which equals the byte order of UTF-8. */
    public static final Comparator<String> KEY_ORDER = (a, b) -> {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i), cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    /** A JSON array. */
    public static final class JsonArray extends ArrayList<Object> {
        public JsonArray() {}
        public JsonArray(int capacity) { super(capacity); }
        public JsonArray(Collection<?> values) { super(values); }
    }

    /** A JSON object with sorted keys. */
    public static final class JsonObject extends TreeMap<String, Object> {
        public JsonObject() { super(KEY_ORDER); }
    }

    private Json() {}

    /** The type name nljson reports: null, boolean, number, string, array or object. */
    public static String typeName(Object v) {
        if (v == NULL || v == null) return "null";
        if (v instanceof Boolean) return "boolean";
        if (v instanceof Number) return "number";
        if (v instanceof String) return "string";
        if (v instanceof JsonArray) return "array";
        if (v instanceof JsonObject) return "object";
        return "discarded";
    }

    public static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double;
    }

    public static double toDouble(Object v) {
        return ((Number) v).doubleValue();
    }

    /** A copy that shares nothing mutable with {@code v}. */
    public static Object deepCopy(Object v) {
        if (v instanceof JsonArray a) {
            JsonArray copy = new JsonArray(a.size());
            for (Object e : a) copy.add(deepCopy(e));
            return copy;
        }
        if (v instanceof JsonObject o) {
            JsonObject copy = new JsonObject();
            for (Map.Entry<String, Object> e : o.entrySet()) copy.put(e.getKey(), deepCopy(e.getValue()));
            return copy;
        }
        return v;
    }

    /** Convenience for building messages in Java: key/value pairs. */
    public static JsonObject object(Object... keyValues) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < keyValues.length; i += 2) o.put((String) keyValues[i], keyValues[i + 1]);
        return o;
    }

    public static JsonArray array(Object... values) {
        JsonArray a = new JsonArray(values.length);
        for (Object v : values) a.add(v);
        return a;
    }
}
