package org.apogee.lapps.json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;

/**
 * CBOR (RFC 8949) for the {@link Json} model, with the mapping the LAppS protocol expects.
 *
 * <p>Encoding: integers in their shortest form, floats always as 8-byte doubles, text strings,
 * definite-length arrays and maps (keys in the model's sorted order), no tags or byte strings.
 * Decoding accepts integers, floats of any width, text strings, arrays and maps (definite or
 * not), booleans and null (an integer map key reads as its decimal string); it refuses byte
 * strings, tags and trailing bytes.
 */
public final class Cbor {

    /** The bytes are not CBOR this protocol accepts; the message says why. */
    public static final class MalformedException extends Exception {
        public MalformedException(String message) {
            super(message, null, false, false);
        }
    }

    private static final CBORFactory FACTORY = CBORFactory.builder()
            .enable(CBORGenerator.Feature.WRITE_MINIMAL_INTS)
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE)
                    .maxNestingDepth(10_000).maxNumberLength(10_000).build())
            .build();

    private Cbor() {}

    public static byte[] encode(Object v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (CBORGenerator g = FACTORY.createGenerator(out)) {
            write(g, v);
        } catch (IOException e) {
            throw new IllegalStateException("CBOR encoding failed: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private static void write(CBORGenerator g, Object v) throws IOException {
        if (v instanceof Json.JsonObject o) {
            g.writeStartObject(o, o.size());
            for (Map.Entry<String, Object> e : o.entrySet()) {
                g.writeFieldName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Json.JsonArray a) {
            g.writeStartArray(a, a.size());
            for (Object e : a) write(g, e);
            g.writeEndArray();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Double d) {
            g.writeNumber(d.doubleValue());
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            g.writeNull();
        }
    }

    public static Object decode(byte[] data) throws MalformedException {
        return decode(data, 0, data.length);
    }

    public static Object decode(byte[] data, int offset, int length) throws MalformedException {
        if (length == 0) throw new MalformedException("empty message");
        try (CBORParser p = FACTORY.createParser(data, offset, length)) {
            JsonToken t = p.nextToken();
            if (t == null) throw new MalformedException("empty message");
            Object v = read(p, t);
            if (p.nextToken() != null) throw new MalformedException("unexpected bytes after the top-level item");
            return v;
        } catch (IOException e) {
            throw new MalformedException("malformed CBOR: " + JsonText.firstLine(e.getMessage()));
        }
    }

    private static Object read(CBORParser p, JsonToken t) throws IOException, MalformedException {
        if (p.getCurrentTag() != -1) throw new MalformedException("CBOR tags are not supported");
        switch (t) {
            case START_OBJECT: {
                Json.JsonObject o = new Json.JsonObject();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    if (k != JsonToken.FIELD_NAME) throw new MalformedException("map keys must be text strings");
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
            case VALUE_NUMBER_INT: {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    BigInteger big = p.getBigIntegerValue();
                    return big.doubleValue();
                }
                return p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT: return p.getDoubleValue();
            case VALUE_TRUE: return Boolean.TRUE;
            case VALUE_FALSE: return Boolean.FALSE;
            case VALUE_NULL: return Json.NULL;
            case VALUE_EMBEDDED_OBJECT: throw new MalformedException("CBOR byte strings are not supported");
            default: throw new MalformedException("unexpected CBOR item " + t);
        }
    }
}
