package org.apogee.core.lua;

import java.util.Locale;

import org.apogee.luaj.CNumberText;
import org.luaj.vm2.Buffer;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.ApogeePatterns;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Repairs LuaJ's string library and makes the string metatable per state.
 * <ul>
 *   <li>{@code string.format}: C's flags, width and precision for every conversion ({@code %-10s},
 *       {@code %.3s}, {@code %.2f}, {@code %5.1e}, {@code %g}, 64-bit {@code %d} and {@code %x});
 *       {@code %s} converts any value as {@code tostring} does.</li>
 *   <li>{@code string.rep(s, n, sep)} honours the separator.</li>
 *   <li>{@code string.upper} and {@code string.lower} change ASCII letters only, byte for byte.</li>
 *   <li>Pattern character classes ({@code %a}, {@code %w}, ...) are ASCII-only, as in C's "C" locale
 *       ({@link ApogeePatterns}).</li>
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
        string.set("upper", new Case('a', 'z', 'A' - 'a'));
        string.set("lower", new Case('A', 'Z', 'a' - 'A'));
        ApogeePatterns.install(string);
    }

    /**
     * {@code string.upper} and {@code string.lower} byte for byte over ASCII letters, as C's toupper and
     * tolower in the "C" locale. LuaJ decoded the string as UTF-8 and used Java's case mapping in the
     * JVM's default locale: bytes that are not UTF-8 were replaced, the length could change
     * ({@code "ß"} became {@code "SS"}) and in a Turkish locale {@code "i"} became {@code "İ"}.
     */
    static final class Case extends OneArgFunction {
        private final int from, to, shift;

        Case(int from, int to, int shift) {
            this.from = from;
            this.to = to;
            this.shift = shift;
        }

        @Override public LuaValue call(LuaValue arg) {
            LuaString s = arg.checkstring();
            int n = s.length();
            byte[] out = new byte[n];
            s.copyInto(0, out, 0, n);
            for (int i = 0; i < n; i++) {
                if (out[i] >= from && out[i] <= to) out[i] += (byte) shift;
            }
            return LuaString.valueUsing(out);
        }
    }

    static final class Rep extends VarArgFunction {
        @Override public Varargs invoke(Varargs args) {
            LuaString s = args.checkstring(1);
            int n = args.checkint(2);
            LuaString sep = args.optstring(3, LuaValue.EMPTYSTRING);
            if (n <= 0) return LuaValue.EMPTYSTRING;
            long total = (long) s.length() * n + (long) sep.length() * (n - 1);
            if (total > Integer.MAX_VALUE - 16) throw new LuaError("resulting string too large");
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

    /**
     * {@code string.format} with C's conversions: LuaJ prints floats with {@code String.valueOf}
     * (no width, precision or flags: {@code %.2f} of 3.14159 gave {@code 3.14159}), reads {@code %d}
     * as a 32-bit int and ignores {@code %s} width and precision. Only {@code %q} is left to LuaJ.
     */
    static final class Format extends VarArgFunction {
        private static final LuaString Q = LuaValue.valueOf("%q");
        private final LuaValue luajFormat;

        Format(LuaValue luajFormat) {
            this.luajFormat = luajFormat;
        }

        /** Flags, width and precision of one conversion. */
        private static final class Spec {
            boolean left, plus, space, alt, zero;
            int width, precision = -1;
        }

        @Override public Varargs invoke(Varargs args) {
            LuaString fmt = args.checkstring(1);
            int n = fmt.length();
            Buffer out = new Buffer(n + 16);
            int arg = 1;
            int i = 0;
            while (i < n) {
                int c = fmt.luaByte(i);
                if (c != '%') { out.append((byte) c); i++; continue; }
                if (i + 1 < n && fmt.luaByte(i + 1) == '%') { out.append((byte) '%'); i += 2; continue; }
                i++;
                Spec spec = new Spec();
                int flags = i;
                for (; i < n; i++) {
                    int f = fmt.luaByte(i);
                    if (f == '-') spec.left = true;
                    else if (f == '+') spec.plus = true;
                    else if (f == ' ') spec.space = true;
                    else if (f == '#') spec.alt = true;
                    else if (f == '0') spec.zero = true;
                    else break;
                }
                if (i - flags > 5) throw new LuaError("invalid format (repeated flags)");
                int digits = 0;
                while (i < n && isDigit(fmt.luaByte(i))) { spec.width = spec.width * 10 + fmt.luaByte(i++) - '0'; digits++; }
                if (digits > 2) throw new LuaError("invalid format (width or precision too long)");
                if (i < n && fmt.luaByte(i) == '.') {
                    i++;
                    spec.precision = 0;
                    digits = 0;
                    while (i < n && isDigit(fmt.luaByte(i))) { spec.precision = spec.precision * 10 + fmt.luaByte(i++) - '0'; digits++; }
                    if (digits > 2) throw new LuaError("invalid format (width or precision too long)");
                }
                if (i >= n) throw new LuaError("invalid option '%' to 'format'");
                int conv = fmt.luaByte(i++);
                arg++;
                switch (conv) {
                    case 's' -> appendString(out, spec, tostring(args, arg));
                    case 'd', 'i', 'o', 'u', 'x', 'X' -> appendInteger(out, spec, conv, (long) number(args, arg));
                    case 'e', 'E', 'f', 'g', 'G' -> appendFloat(out, spec, conv, number(args, arg));
                    case 'c' -> {
                        byte b = (byte) (long) number(args, arg);
                        if (!spec.left) for (int k = 1; k < spec.width; k++) out.append((byte) ' ');
                        out.append(b);
                        if (spec.left) for (int k = 1; k < spec.width; k++) out.append((byte) ' ');
                    }
                    case 'q' -> {
                        if (arg > args.narg()) throw noValue(arg);
                        out.append(luajFormat.call(Q, args.arg(arg)).strvalue());
                    }
                    default -> throw new LuaError("invalid option '%" + (char) conv + "' to 'format'");
                }
            }
            return out.tostring();
        }

        private static boolean isDigit(int c) {
            return c >= '0' && c <= '9';
        }

        private static LuaError noValue(int arg) {
            return new LuaError("bad argument #" + arg + " to 'format' (no value)");
        }

        private static LuaString tostring(Varargs args, int arg) {
            if (arg > args.narg()) throw noValue(arg);
            LuaValue v = args.arg(arg);
            LuaValue h = v.metatag(LuaValue.TOSTRING);
            if (!h.isnil()) return h.call(v).checkstring();
            return v.isstring() ? v.strvalue() : LuaValue.valueOf(v.tojstring());
        }

        private static double number(Varargs args, int arg) {
            if (arg > args.narg()) throw new LuaError("bad argument #" + arg + " to 'format' (number expected, got no value)");
            LuaValue v = args.arg(arg);
            LuaValue num = v.tonumber();
            if (num.isnil()) throw new LuaError("bad argument #" + arg + " to 'format' (number expected, got " + v.typename() + ")");
            return num.todouble();
        }

        /** Appends {@code s} formatted by a {@code %[-][width][.precision]s} spec. */
        private static void appendString(Buffer out, Spec spec, LuaString s) {
            LuaString body = spec.precision >= 0 && spec.precision < s.length() ? s.substring(0, spec.precision) : s;
            int pad = Math.max(0, spec.width - body.length());
            if (!spec.left) for (int k = 0; k < pad; k++) out.append((byte) ' ');
            out.append(body);
            if (spec.left) for (int k = 0; k < pad; k++) out.append((byte) ' ');
        }

        private static void appendInteger(Buffer out, Spec spec, int conv, long v) {
            boolean signed = conv == 'd' || conv == 'i';
            String digits = switch (conv) {
                case 'o' -> Long.toOctalString(v);
                case 'x' -> Long.toHexString(v);
                case 'X' -> Long.toHexString(v).toUpperCase(Locale.ROOT);
                case 'u' -> Long.toUnsignedString(v);
                default -> v < 0 ? Long.toString(v).substring(1) : Long.toString(v);
            };
            if (spec.precision == 0 && v == 0) digits = "";
            if (spec.precision > digits.length()) digits = "0".repeat(spec.precision - digits.length()) + digits;
            String prefix = !signed ? "" : v < 0 ? "-" : spec.plus ? "+" : spec.space ? " " : "";
            if (spec.alt && conv == 'o' && !digits.startsWith("0")) digits = "0" + digits;
            if (spec.alt && (conv == 'x' || conv == 'X') && v != 0) prefix = conv == 'x' ? "0x" : "0X";
            pad(out, spec, prefix, digits, spec.zero && spec.precision < 0);
        }

        private static void appendFloat(Buffer out, Spec spec, int conv, double x) {
            boolean negative = x < 0 || (x == 0 && 1 / x < 0);
            String prefix = negative ? "-" : spec.plus ? "+" : spec.space ? " " : "";
            String body;
            boolean finite = !Double.isNaN(x) && !Double.isInfinite(x);
            if (Double.isNaN(x)) body = "nan";
            else if (!finite) body = "inf";
            else {
                double a = Math.abs(x);
                int p = spec.precision < 0 ? 6 : spec.precision;
                body = switch (conv) {
                    case 'f' -> CNumberText.fixed(a, p, spec.alt);
                    case 'e', 'E' -> CNumberText.exponent(a, p, spec.alt);
                    default -> CNumberText.general(a, p, spec.alt);
                };
            }
            if (conv == 'E' || conv == 'G') body = body.toUpperCase(Locale.ROOT);
            pad(out, spec, prefix, body, spec.zero && finite);
        }

        /** Pads {@code prefix + body} to the spec's width: spaces left or right, or zeros after the prefix. */
        private static void pad(Buffer out, Spec spec, String prefix, String body, boolean zeros) {
            int fill = Math.max(0, spec.width - prefix.length() - body.length());
            if (!spec.left && !zeros) for (int k = 0; k < fill; k++) out.append((byte) ' ');
            out.append(prefix);
            if (!spec.left && zeros) for (int k = 0; k < fill; k++) out.append((byte) '0');
            out.append(body);
            if (spec.left) for (int k = 0; k < fill; k++) out.append((byte) ' ');
        }
    }
}
