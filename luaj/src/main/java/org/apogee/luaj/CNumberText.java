package org.apogee.luaj;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Numbers as text, the way C Lua and C's {@code printf} write them.
 *
 * <p>{@link #format(double)} is what {@code tostring} (and so {@code print}, {@code ..},
 * {@code string.format("%s")}, {@code table.concat}, {@code io.write}) gives for a number: this jar's
 * {@code org.luaj.vm2.LuaDouble.tojstring()} calls it, where LuaJ 3.0.1 used {@code Float.toString((float) v)}
 * and lost half the digits. The rule:
 * <ul>
 *   <li>an integral value whose magnitude is below 2^63: its integer digits, as LuaJ and Lua 5.3 print it
 *       ({@code 2^53} is {@code 9007199254740992}, {@code 1e15} is {@code 1000000000000000});</li>
 *   <li>negative zero: {@code -0}; infinities: {@code inf}, {@code -inf}; NaN: {@code nan};</li>
 *   <li>anything else: C Lua 5.1/5.2's {@code LUAI_NUMFFORMAT}, {@code "%.14g"}
 *       ({@code 0.33333333333333}, {@code 1e+20}, {@code -1.5e-07}, {@code 9.2233720368548e+18}).</li>
 * </ul>
 * Fourteen significant digits do not identify every double, so {@code tonumber(tostring(x)) == x} holds
 * only where it holds in C Lua: for integral values, and for values with at most 14 significant digits.
 *
 * <p>{@link #fixed}, {@link #exponent} and {@link #general} are C's {@code %.pf}, {@code %.pe} and
 * {@code %.pg} of a non-negative finite number, computed from the exact binary value with ties to even,
 * as glibc does; Apogee's {@code string.format} uses them too.
 */
public final class CNumberText {
    private static final double TWO_63 = 0x1p63;

    private CNumberText() {
    }

    /** A Lua number as {@code tostring} writes it (see the class comment for the rule). */
    public static String format(double v) {
        if (v != v) return "nan";
        if (v == Double.POSITIVE_INFINITY) return "inf";
        if (v == Double.NEGATIVE_INFINITY) return "-inf";
        if (v == 0) return 1 / v < 0 ? "-0" : "0";
        if (Math.abs(v) < TWO_63 && v == Math.rint(v)) return Long.toString((long) v);
        return v < 0 ? "-" + general(-v, 14, false) : general(v, 14, false);
    }

    /** {@code %.pf} of a non-negative number: exact binary value, ties to even, as C does. */
    public static String fixed(double a, int p, boolean alt) {
        String s = new BigDecimal(a).setScale(p, RoundingMode.HALF_EVEN).toPlainString();
        return p == 0 && alt ? s + "." : s;
    }

    /** {@code %.pe} of a non-negative number. */
    public static String exponent(double a, int p, boolean alt) {
        String digits;
        int exp;
        if (a == 0) {
            digits = "0".repeat(p + 1);
            exp = 0;
        } else {
            BigDecimal r = new BigDecimal(a).round(new MathContext(p + 1, RoundingMode.HALF_EVEN));
            digits = r.unscaledValue().toString();
            exp = digits.length() - 1 - r.scale();
            if (digits.length() < p + 1) digits = digits + "0".repeat(p + 1 - digits.length());
        }
        StringBuilder sb = new StringBuilder(p + 8).append(digits.charAt(0));
        if (p > 0 || alt) sb.append('.');
        sb.append(digits, 1, p + 1).append('e').append(exp < 0 ? '-' : '+');
        if (Math.abs(exp) < 10) sb.append('0');
        return sb.append(Math.abs(exp)).toString();
    }

    /** {@code %.pg} of a non-negative number: %e or %f by the exponent, trailing zeros removed unless '#'. */
    public static String general(double a, int p, boolean alt) {
        int precision = p == 0 ? 1 : p;
        int exp = 0;
        if (a != 0) {
            BigDecimal r = new BigDecimal(a).round(new MathContext(precision, RoundingMode.HALF_EVEN));
            exp = r.precision() - r.scale() - 1;
        }
        String s = precision > exp && exp >= -4 ? fixed(a, precision - 1 - exp, alt) : exponent(a, precision - 1, alt);
        if (alt) return s;
        int e = s.indexOf('e');
        String mantissa = e < 0 ? s : s.substring(0, e);
        if (mantissa.indexOf('.') >= 0) {
            int end = mantissa.length();
            while (mantissa.charAt(end - 1) == '0') end--;
            if (mantissa.charAt(end - 1) == '.') end--;
            mantissa = mantissa.substring(0, end);
        }
        return e < 0 ? mantissa : mantissa + s.substring(e);
    }
}
