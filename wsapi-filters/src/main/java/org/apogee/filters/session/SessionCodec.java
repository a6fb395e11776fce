package org.apogee.filters.session;

import java.io.ByteArrayOutputStream;
import java.util.IdentityHashMap;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Turns session data (a Lua table of strings, numbers, booleans and nested tables) into bytes and
 * back, so that it can live outside any one Lua state: in the process-wide memory store or in Redis.
 *
 * <p>The format is a small tagged binary one, never Lua source: decoding data from a store runs no
 * code. Decoding is strict; bytes that are not a valid encoding give {@code null}.
 */
public final class SessionCodec {

    private static final int VERSION = 1;
    private static final int MAX_DEPTH = 32;

    private SessionCodec() {}

    /** The encoding of {@code table}; raises a Lua error naming the key of a value that cannot be stored. */
    public static byte[] encode(LuaTable table) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.write(VERSION);
        writeTable(out, table, 0, new IdentityHashMap<>(), "");
        return out.toByteArray();
    }

    /** The table {@code bytes} encode, or null when they are not a valid encoding. */
    public static LuaTable decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0 || bytes[0] != VERSION) return null;
        Reader r = new Reader(bytes, 1);
        try {
            if (r.u8() != 't') return null;
            LuaTable t = r.table(0);
            return r.pos == bytes.length ? t : null;
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    private static void writeTable(ByteArrayOutputStream out, LuaTable t, int depth, IdentityHashMap<LuaTable, Boolean> seen, String path) {
        if (depth > MAX_DEPTH) throw new LuaError("session data nests deeper than " + MAX_DEPTH + " tables at " + shown(path));
        if (seen.put(t, Boolean.TRUE) != null) throw new LuaError("session data contains a cycle at " + shown(path));
        out.write('t');
        // count first: LuaTable's size is not known without walking it
        int n = 0;
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs e = t.next(k);
            if ((k = e.arg1()).isnil()) break;
            n++;
        }
        varint(out, n);
        k = LuaValue.NIL;
        while (true) {
            Varargs e = t.next(k);
            if ((k = e.arg1()).isnil()) break;
            String keyPath = path + "[" + (k.type() == LuaValue.TSTRING ? "\"" + k.tojstring() + "\"" : k.tojstring()) + "]";
            if (k.type() == LuaValue.TTABLE) throw new LuaError("session data keys must be strings, numbers or booleans (a table key at " + shown(path) + ")");
            writeValue(out, k, depth, seen, keyPath);
            writeValue(out, e.arg(2), depth, seen, keyPath);
        }
        seen.remove(t);
    }

    private static void writeValue(ByteArrayOutputStream out, LuaValue v, int depth, IdentityHashMap<LuaTable, Boolean> seen, String path) {
        switch (v.type()) {
            case LuaValue.TSTRING -> {
                LuaString s = (LuaString) v;
                out.write('s');
                varint(out, s.m_length);
                out.write(s.m_bytes, s.m_offset, s.m_length);
            }
            case LuaValue.TNUMBER -> {
                double d = v.todouble();
                long l = (long) d;
                if (l == d && !(d == 0 && 1 / d < 0)) {
                    out.write('i');
                    long64(out, l);
                } else {
                    out.write('d');
                    long64(out, Double.doubleToRawLongBits(d));
                }
            }
            case LuaValue.TBOOLEAN -> out.write(v.toboolean() ? 'T' : 'F');
            case LuaValue.TTABLE -> writeTable(out, (LuaTable) v, depth + 1, seen, path);
            default -> throw new LuaError("session values must be strings, numbers, booleans or tables of them; "
                    + shown(path) + " is a " + v.typename());
        }
    }

    private static String shown(String path) {
        return path.isEmpty() ? "the top level" : "session" + path;
    }

    private static void varint(ByteArrayOutputStream out, int n) {
        while ((n & ~0x7f) != 0) {
            out.write((n & 0x7f) | 0x80);
            n >>>= 7;
        }
        out.write(n);
    }

    private static void long64(ByteArrayOutputStream out, long v) {
        for (int i = 56; i >= 0; i -= 8) out.write((int) (v >>> i) & 0xff);
    }

    private static final class Reader {
        final byte[] b;
        int pos;

        Reader(byte[] b, int pos) {
            this.b = b;
            this.pos = pos;
        }

        int u8() {
            if (pos >= b.length) throw new IllegalStateException("truncated");
            return b[pos++] & 0xff;
        }

        int varint() {
            int n = 0;
            for (int shift = 0; shift < 32; shift += 7) {
                int x = u8();
                n |= (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    if (n < 0) throw new IllegalStateException("negative length");
                    return n;
                }
            }
            throw new IllegalStateException("varint too long");
        }

        long long64() {
            long v = 0;
            for (int i = 0; i < 8; i++) v = (v << 8) | u8();
            return v;
        }

        LuaTable table(int depth) {
            if (depth > MAX_DEPTH) throw new IllegalStateException("too deep");
            int n = varint();
            if (n > b.length - pos) throw new IllegalStateException("count exceeds the data");
            LuaTable t = new LuaTable();
            for (int i = 0; i < n; i++) {
                LuaValue k = value(depth);
                if (k.istable()) throw new IllegalStateException("table key");
                t.rawset(k, value(depth));
            }
            return t;
        }

        LuaValue value(int depth) {
            return switch (u8()) {
                case 's' -> {
                    int len = varint();
                    if (len > b.length - pos) throw new IllegalStateException("string exceeds the data");
                    byte[] s = new byte[len];
                    System.arraycopy(b, pos, s, 0, len);
                    pos += len;
                    yield LuaString.valueUsing(s);
                }
                case 'i' -> LuaValue.valueOf((double) long64());
                case 'd' -> LuaValue.valueOf(Double.longBitsToDouble(long64()));
                case 'T' -> LuaValue.TRUE;
                case 'F' -> LuaValue.FALSE;
                case 't' -> table(depth + 1);
                default -> throw new IllegalStateException("unknown tag");
            };
        }
    }
}
