package org.apogee.lapps;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The {@code murmur} preload: the 64-bit hash libstdc++ uses for {@code std::hash<std::string>}
 * (MurmurHash2-64A, seed 0xc70f6907), bit for bit. {@code murmur.hashstr(v)} returns it as 16
 * lowercase hex digits, {@code murmur.hashnum(v)} as a number. A number hashes to itself
 * (truncated to an unsigned integer), as {@code std::hash<size_t>} does.
 */
final class MurmurModule {

    private static final long MUL = 0xc6a4a7935bd1e995L;
    private static final long SEED = 0xc70f6907L;

    private MurmurModule() {}

    static LuaTable create() {
        LuaTable m = new LuaTable();
        m.set("hashstr", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                return valueOf(String.format("%016x", hash(args, "hashstr")));
            }
        });
        m.set("hashnum", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                long h = hash(args, "hashnum");
                return valueOf(h >= 0 ? (double) h : (double) (h >>> 1) * 2.0 + (h & 1));
            }
        });
        return m;
    }

    private static long hash(Varargs args, String fn) {
        if (args.narg() != 1) throw new LuaError("usage: murmur." + fn + "(string_or_number)");
        LuaValue v = args.arg1();
        if (v.type() == LuaValue.TNUMBER) {
            double d = v.todouble();
            return d >= 9.223372036854775807E18 ? (long) (d / 2) << 1 : (long) d;
        }
        if (v.type() != LuaValue.TSTRING) throw new LuaError("murmur." + fn + ": expected a string or a number, got " + v.typename());
        LuaString s = v.checkstring();
        return hashBytes(s.m_bytes, s.m_offset, s.m_length);
    }

    /** libstdc++'s {@code _Hash_bytes} with its default seed. */
    static long hashBytes(byte[] b, int off, int len) {
        long h = SEED ^ (len * MUL);
        int aligned = len & ~7;
        for (int i = 0; i < aligned; i += 8) {
            long w = 0;
            for (int k = 7; k >= 0; k--) w = (w << 8) | (b[off + i + k] & 0xffL);
            h ^= shiftMix(w * MUL) * MUL;
            h *= MUL;
        }
        int tail = len & 7;
        if (tail != 0) {
            long t = 0;
            for (int k = tail - 1; k >= 0; k--) t = (t << 8) | (b[off + aligned + k] & 0xffL);
            h ^= t;
            h *= MUL;
        }
        h = shiftMix(h) * MUL;
        return shiftMix(h);
    }

    private static long shiftMix(long v) {
        return v ^ (v >>> 47);
    }
}
