package org.apogee.core.lua;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * {@code require "apogee.urlcode"}: URL encoding and query-string parsing for {@code wsapi.util}
 * and {@code wsapi.request}, on the bytes of Lua strings (never through a character decoder).
 *
 * <ul>
 *   <li>{@code decode(s)}: {@code +} becomes a space, {@code %XX} (either case) the byte, then CR LF
 *   becomes LF. A {@code %} not followed by two hex digits stays as it is. nil gives nil.</li>
 *   <li>{@code encode(s)}: LF becomes CR LF, every byte but ASCII letters, digits and the space
 *   becomes {@code %XX} (upper case), then the space becomes {@code +}. nil gives nil.</li>
 *   <li>{@code parse(qs, tab, overwrite)}: adds each {@code key=value} pair of {@code qs} to
 *   {@code tab} (a new table when nil) and returns it. Keys and values are decoded; a key without
 *   {@code =} is dropped and only {@code &} separates pairs, as WSAPI's pattern
 *   {@code ([^&=]+)=([^&=]*)&?} does. A repeated key collects its values in a list unless
 *   {@code overwrite} is true (then the last one wins).</li>
 * </ul>
 */
final class UrlCodeLib {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private UrlCodeLib() {}

    static LuaValue create(LuaState state) {
        LuaTable module = new LuaTable();
        module.set("decode", new OneArgFunction() {
            @Override public LuaValue call(LuaValue s) {
                return s.isnil() ? NIL : decode(s.checkstring());
            }
        });
        module.set("encode", new OneArgFunction() {
            @Override public LuaValue call(LuaValue s) {
                return s.isnil() ? NIL : encode(s.checkstring());
            }
        });
        module.set("parse", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                LuaValue qs = args.arg1();
                LuaValue tab = args.arg(2);
                LuaTable target = tab.isnil() ? new LuaTable() : tab.checktable();
                if (qs.isnil()) return target;
                if (qs.type() != LuaValue.TSTRING) throw new LuaError("WSAPI Request error: invalid query string");
                parse((LuaString) qs, target, args.arg(3).toboolean());
                return target;
            }
        });
        return module;
    }

    private static int hex(int b) {
        if (b >= '0' && b <= '9') return b - '0';
        if (b >= 'a' && b <= 'f') return b - 'a' + 10;
        if (b >= 'A' && b <= 'F') return b - 'A' + 10;
        return -1;
    }

    private static boolean needsDecoding(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == '+' || c == '%' || c == '\r') return true;
        }
        return false;
    }

    static LuaString decode(LuaString s) {
        byte[] src = s.m_bytes;
        int from = s.m_offset, to = from + s.m_length;
        if (!needsDecoding(src, from, to)) return s;
        byte[] out = new byte[s.m_length];
        int n = decodeInto(src, from, to, out);
        return LuaString.valueUsing(out, 0, n);
    }

    /** Decodes {@code src[from, to)} into {@code out} (at least {@code to - from} long); returns the length. */
    private static int decodeInto(byte[] src, int from, int to, byte[] out) {
        int n = 0;
        for (int i = from; i < to; i++) {
            int c = src[i];
            if (c == '+') {
                c = ' ';
            } else if (c == '%' && i + 2 < to) {
                int hi = hex(src[i + 1]), lo = hex(src[i + 2]);
                if (hi >= 0 && lo >= 0) {
                    c = (hi << 4) | lo;
                    i += 2;
                }
            }
            // CR LF becomes LF: WSAPI applies this to the decoded text
            if (c == '\n' && n > 0 && out[n - 1] == '\r') n--;
            out[n++] = (byte) c;
        }
        return n;
    }

    private static boolean unreserved(int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
    }

    static LuaString encode(LuaString s) {
        byte[] src = s.m_bytes;
        int from = s.m_offset, to = from + s.m_length;
        int extra = 0;
        boolean change = false;
        for (int i = from; i < to; i++) {
            int b = src[i] & 0xff;
            if (b == '\n') {
                extra += 5; // "%0D%0A" for one byte
                change = true;
            } else if (b == ' ') {
                change = true;
            } else if (!unreserved(b)) {
                extra += 2;
                change = true;
            }
        }
        if (!change) return s;
        byte[] out = new byte[s.m_length + extra];
        int n = 0;
        for (int i = from; i < to; i++) {
            int b = src[i] & 0xff;
            if (b == ' ') {
                out[n++] = '+';
            } else if (b == '\n') {
                out[n++] = '%';
                out[n++] = '0';
                out[n++] = 'D';
                out[n++] = '%';
                out[n++] = '0';
                out[n++] = 'A';
            } else if (unreserved(b)) {
                out[n++] = (byte) b;
            } else {
                out[n++] = '%';
                out[n++] = HEX[b >>> 4];
                out[n++] = HEX[b & 15];
            }
        }
        return LuaString.valueUsing(out, 0, n);
    }

    static void parse(LuaString qs, LuaTable tab, boolean overwrite) {
        byte[] b = qs.m_bytes;
        int start = qs.m_offset, end = start + qs.m_length;
        byte[] scratch = null;
        int i = start;
        while (i < end) {
            byte c = b[i];
            if (c == '&' || c == '=') {
                i++;
                continue;
            }
            int keyEnd = i;
            while (keyEnd < end && b[keyEnd] != '&' && b[keyEnd] != '=') keyEnd++;
            if (keyEnd == end || b[keyEnd] != '=') {
                i = keyEnd; // a name without '=' is dropped
                continue;
            }
            int valueStart = keyEnd + 1;
            int valueEnd = valueStart;
            while (valueEnd < end && b[valueEnd] != '&' && b[valueEnd] != '=') valueEnd++;
            if (scratch == null) scratch = new byte[qs.m_length];
            LuaString key = segment(b, i, keyEnd, scratch);
            LuaString value = segment(b, valueStart, valueEnd, scratch);
            insert(tab, key, value, overwrite);
            i = valueEnd;
            if (i < end && b[i] == '&') i++;
        }
    }

    private static LuaString segment(byte[] b, int from, int to, byte[] scratch) {
        if (!needsDecoding(b, from, to)) return LuaString.valueOf(b, from, to - from);
        int n = decodeInto(b, from, to, scratch);
        return LuaString.valueOf(scratch, 0, n);
    }

    /** WSAPI's insert_field: the first value as is, later ones collected in a list (or replacing it). */
    static void insert(LuaTable tab, LuaValue key, LuaValue value, boolean overwrite) {
        LuaValue old = tab.get(key);
        if (overwrite || !old.toboolean()) {
            tab.set(key, value);
        } else if (old.istable()) {
            old.set(old.length() + 1, value);
        } else {
            tab.set(key, LuaValue.listOf(new LuaValue[] {old, value}));
        }
    }
}
