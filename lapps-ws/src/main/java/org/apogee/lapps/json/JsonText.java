package org.apogee.lapps.json;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

/**
 * JSON text: parsing into the {@link Json} model and printing it the way the original server's
 * library does (compact, or indented; keys sorted; non-ASCII left as UTF-8; floats keep a
 * fraction or an exponent).
 */
public final class JsonText {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE)
                    .maxNestingDepth(10_000).maxNumberLength(10_000).build())
            .build();

    private JsonText() {}

    /** Parses one JSON value; anything after it but whitespace is an error. */
    public static Object parse(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) throw new IllegalArgumentException("parse error: unexpected end of input");
            Object v = read(p, t);
            if (p.nextToken() != null) throw new IllegalArgumentException("parse error at line " + p.currentLocation().getLineNr()
                    + ", column " + p.currentLocation().getColumnNr() + ": unexpected content after the value");
            return v;
        } catch (IOException e) {
            throw new IllegalArgumentException("parse error: " + firstLine(e.getMessage()), e);
        }
    }

    static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static Object read(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: {
                Json.JsonObject o = new Json.JsonObject();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    o.put(name, read(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY: {
                Json.JsonArray a = new Json.JsonArray();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) a.add(read(p, e));
                return a;
            }
            case VALUE_STRING: return p.getText();
            case VALUE_NUMBER_INT: return integer(p);
            case VALUE_NUMBER_FLOAT: return p.getDoubleValue();
            case VALUE_TRUE: return Boolean.TRUE;
            case VALUE_FALSE: return Boolean.FALSE;
            case VALUE_NULL: return Json.NULL;
            default: throw new IOException("unexpected " + t);
        }
    }

    static Object integer(JsonParser p) throws IOException {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            BigInteger big = p.getBigIntegerValue();
            return big.doubleValue();
        }
        return p.getLongValue();
    }

    /** Compact text, as {@code nljson.encode} and {@code tostring} give. */
    public static String encode(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v, -1, 0);
        return sb.toString();
    }

    /** Indented text; an indent of 0 or less gives compact text. */
    public static String encodePretty(Object v, int indent) {
        if (indent <= 0) return encode(v);
        StringBuilder sb = new StringBuilder();
        write(sb, v, indent, 0);
        return sb.toString();
    }

    private static void newline(StringBuilder sb, int indent, int depth) {
        sb.append('\n');
        for (int i = 0; i < indent * depth; i++) sb.append(' ');
    }

    private static void write(StringBuilder sb, Object v, int indent, int depth) {
        if (v instanceof Json.JsonObject o) {
            if (o.isEmpty()) { sb.append("{}"); return; }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : o.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                if (indent >= 0) newline(sb, indent, depth + 1);
                string(sb, e.getKey());
                sb.append(indent >= 0 ? ": " : ":");
                write(sb, e.getValue(), indent, depth + 1);
            }
            if (indent >= 0) newline(sb, indent, depth);
            sb.append('}');
        } else if (v instanceof Json.JsonArray a) {
            if (a.isEmpty()) { sb.append("[]"); return; }
            sb.append('[');
            for (int i = 0; i < a.size(); i++) {
                if (i > 0) sb.append(',');
                if (indent >= 0) newline(sb, indent, depth + 1);
                write(sb, a.get(i), indent, depth + 1);
            }
            if (indent >= 0) newline(sb, indent, depth);
            sb.append(']');
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Double d) {
            sb.append(number(d));
        } else if (v == null) {
            sb.append("null");
        } else {
            sb.append(v);
        }
    }

    /** A float as nlohmann prints it: shortest round-trip digits, always with a fraction or exponent. */
    static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) return "null";
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            if (d == 0 && 1 / d < 0) return "-0.0";
            return (long) d + ".0";
        }
        String s = Double.toString(d);
        int e = s.indexOf('E');
        if (e < 0) return s;
        String mantissa = s.substring(0, e);
        if (mantissa.endsWith(".0")) mantissa = mantissa.substring(0, mantissa.length() - 2);
        String exp = s.substring(e + 1);
        boolean neg = exp.startsWith("-");
        if (neg) exp = exp.substring(1);
        if (exp.length() < 2) exp = "0" + exp;
        return mantissa + "e" + (neg ? "-" : "+") + exp;
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 15]);
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
