package org.apogee.core.lua;

import org.luaj.vm2.Buffer;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Repairs LuaJ's string library and makes the string metatable per state.
 * <ul>
 *   <li>{@code string.format}: {@code %s} honours flags, width and precision ({@code %-10s},
 *       {@code %.3s}) and converts any value as {@code tostring} does; other conversions are LuaJ's.</li>
 *   <li>{@code string.rep(s, n, sep)} honours the separator.</li>
 *   <li>LuaJ keeps one JVM-wide string metatable; its {@code __index} here resolves to the calling
 *       state's own {@code string} table, so a function one app adds to {@code string} is not
 *       visible as a method in another app.</li>
 * </ul>
 */
final class StringFixes {

    private static final LuaTable SHARED_METATABLE = new LuaTable();
    private static volatile LuaTable fallback;

    static {
        SHARED_METATABLE.set(LuaValue.INDEX, new TwoArgFunction() {
            @Override public LuaValue call(LuaValue self, LuaValue key) {
                LuaState s = LuaState.current();
                LuaTable t = s != null ? s.stringTable : fallback;
                return t == null ? NIL : t.get(key);
            }
        });
    }

    private StringFixes() {}

    static void install(LuaState g) {
        LuaTable string = (LuaTable) g.get("string");
        g.stringTable = string;
        if (fallback == null) fallback = string;
        LuaString.s_metatable = SHARED_METATABLE;
        string.set("format", new Format(string.get("format")));
        string.set("rep", new Rep());
    }

    static final class Rep extends VarArgFunction {
        @Override public Varargs invoke(Varargs args) {
            LuaString s = args.checkstring(1);
            int n = args.checkint(2);
            LuaString sep = args.optstring(3, LuaValue.EMPTYSTRING);
            if (n <= 0) return LuaValue.EMPTYSTRING;
            long total = (long) s.length() * n + (long) sep.length() * (n - 1);
            if (total > Integer.MAX_VALUE - 16) throw new org.luaj.vm2.LuaError("resulting string too large");
            byte[] out = new byte[(int) total];
            int pos = 0;
            for (int i = 0; i < n; i++) {
                if (i > 0) { sep.copyInto(0, out, pos, sep.length()); pos += sep.length(); }
                s.copyInto(0, out, pos, s.length());
                pos += s.length();
            }
            return LuaString.valueUsing(out);
        }
    }

    static final class Format extends VarArgFunction {
        private final LuaValue luajFormat;

        Format(LuaValue luajFormat) {
            this.luajFormat = luajFormat;
        }

        @Override public Varargs invoke(Varargs args) {
            LuaString fmt = args.checkstring(1);
            if (!hasStringConversion(fmt)) return luajFormat.invoke(args);
            int n = fmt.length();
            Buffer out = new Buffer(n + 16);
            int arg = 1;
            int i = 0;
            while (i < n) {
                int c = fmt.luaByte(i);
                if (c != '%') { out.append((byte) c); i++; continue; }
                if (i + 1 < n && fmt.luaByte(i + 1) == '%') { out.append((byte) '%'); i += 2; continue; }
                int start = i++;
                while (i < n && "-+ #0".indexOf(fmt.luaByte(i)) >= 0) i++;
                while (i < n && Character.isDigit(fmt.luaByte(i))) i++;
                if (i < n && fmt.luaByte(i) == '.') { i++; while (i < n && Character.isDigit(fmt.luaByte(i))) i++; }
                if (i >= n) throw new org.luaj.vm2.LuaError("invalid option '%' to 'format'");
                int conv = fmt.luaByte(i++);
                LuaString spec = fmt.substring(start, i);
                arg++;
                if (conv == 's') {
                    appendString(out, spec, tostring(args, arg));
                } else {
                    if (arg > args.narg()) throw new org.luaj.vm2.LuaError("bad argument #" + arg + " to 'format' (no value)");
                    out.append(luajFormat.call(spec, args.arg(arg)).strvalue());
                }
            }
            return out.tostring();
        }

        private static LuaString tostring(Varargs args, int arg) {
            if (arg > args.narg()) throw new org.luaj.vm2.LuaError("bad argument #" + arg + " to 'format' (no value)");
            LuaValue v = args.arg(arg);
            LuaValue h = v.metatag(LuaValue.TOSTRING);
            if (!h.isnil()) return h.call(v).checkstring();
            return v.isstring() ? v.strvalue() : LuaValue.valueOf(v.tojstring());
        }

        /** Appends {@code s} formatted by a {@code %[-][width][.precision]s} spec. */
        private static void appendString(Buffer out, LuaString spec, LuaString s) {
            boolean left = false;
            int width = 0, precision = -1;
            int j = 1, n = spec.length() - 1;
            while (j < n && "-+ #0".indexOf(spec.luaByte(j)) >= 0) { if (spec.luaByte(j) == '-') left = true; j++; }
            while (j < n && Character.isDigit(spec.luaByte(j))) width = width * 10 + (spec.luaByte(j++) - '0');
            if (j < n && spec.luaByte(j) == '.') {
                j++;
                precision = 0;
                while (j < n && Character.isDigit(spec.luaByte(j))) precision = precision * 10 + (spec.luaByte(j++) - '0');
            }
            LuaString body = precision >= 0 && precision < s.length() ? s.substring(0, precision) : s;
            int pad = Math.max(0, width - body.length());
            if (!left) for (int k = 0; k < pad; k++) out.append((byte) ' ');
            out.append(body);
            if (left) for (int k = 0; k < pad; k++) out.append((byte) ' ');
        }

        private static boolean hasStringConversion(LuaString fmt) {
            int n = fmt.length();
            for (int i = 0; i < n; i++) {
                if (fmt.luaByte(i) != '%') continue;
                int j = i + 1;
                if (j < n && fmt.luaByte(j) == '%') { i = j; continue; }
                while (j < n && "-+ #0.0123456789".indexOf(fmt.luaByte(j)) >= 0) j++;
                if (j < n && fmt.luaByte(j) == 's') return true;
                i = j;
            }
            return false;
        }
    }
}
