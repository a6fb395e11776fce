package org.apogee.luaj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaDouble;
import org.luaj.vm2.LuaValue;

class CNumberTextTest {

    /** Outputs of C's printf("%.14g") (glibc), the format C Lua 5.1 and 5.2 use for numbers. */
    private static final Object[][] C_OUTPUTS = {
        {1.0 / 3, "0.33333333333333"},
        {1234567.891, "1234567.891"},
        {3.14159265358979, "3.1415926535898"},
        {1e20, "1e+20"},
        {-1.5e-07, "-1.5e-07"},
        {0x1p63, "9.2233720368548e+18"},
        {-0x1p63, "-9.2233720368548e+18"},
        {0x1p64, "1.844674407371e+19"},
        {1e300, "1e+300"},
        {Double.MIN_VALUE, "4.9406564584125e-324"},
        {Double.MIN_NORMAL, "2.2250738585072e-308"},
        {Double.MAX_VALUE, "1.7976931348623e+308"},
        {0.1, "0.1"},
        {100.5, "100.5"},
        {-0.5, "-0.5"},
        {123456789012.345678, "123456789012.35"},
        {1e-5, "1e-05"},
        {0.0001, "0.0001"},
        {1e14 + 0.5, "1e+14"},
        {12345678901234.5, "12345678901234"}, // an exact tie: to even, as glibc
        {0.1 + 0.2, "0.3"},
        {2.5e-10, "2.5e-10"},
    };

    @Test
    void nonIntegralNumbersAsCLuaPrintsThem() {
        for (Object[] c : C_OUTPUTS) assertEquals(c[1], CNumberText.format((Double) c[0]), "%.14g of " + c[0]);
    }

    @Test
    void integralValuesBelow2To63KeepEveryDigit() {
        assertEquals("0", CNumberText.format(0.0));
        assertEquals("-0", CNumberText.format(-0.0));
        assertEquals("9007199254740992", CNumberText.format(0x1p53));
        assertEquals("9007199254740994", CNumberText.format(0x1p53 + 2));
        assertEquals("1000000000000000", CNumberText.format(1e15));
        assertEquals("-4611686018427387904", CNumberText.format(-0x1p62));
        assertEquals("9223372036854774784", CNumberText.format(Math.nextDown(0x1p63)));
        assertEquals("-9223372036854774784", CNumberText.format(-Math.nextDown(0x1p63)));
        assertEquals("9.2233720368548e+18", CNumberText.format(0x1p63)); // not Long.MAX_VALUE's digits
    }

    @Test
    void specialValues() {
        assertEquals("inf", CNumberText.format(Double.POSITIVE_INFINITY));
        assertEquals("-inf", CNumberText.format(Double.NEGATIVE_INFINITY));
        assertEquals("nan", CNumberText.format(Double.NaN));
    }

    /**
     * Java's %e of the exact BigDecimal is C's %e but for the exponent's digits (C writes at least two) and
     * exact ties (Java rounds them up; random doubles have none at these precisions). Java's %g is unlike C's.
     */
    @Test
    void exponentAgreesWithJavasFormatAndGeneralWithTheExactDecimal() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 20000; i++) {
            double x = Math.abs(Double.longBitsToDouble(random.nextLong()));
            if (Double.isNaN(x) || Double.isInfinite(x)) continue;
            int p = random.nextInt(0, 17);
            String java = String.format(Locale.ROOT, "%." + p + "e", new BigDecimal(x));
            assertEquals(java.replaceAll("e([+-])(\\d)$", "e$10$2"), CNumberText.exponent(x, p, false),
                    "%." + p + "e of " + x);
            String g = CNumberText.general(x, 14, false);
            BigDecimal rounded = new BigDecimal(x).round(new MathContext(14, RoundingMode.HALF_EVEN));
            assertEquals(0, new BigDecimal(g).compareTo(rounded), "%.14g of " + x + " gave " + g);
        }
    }

    @Test
    void fixedAndGeneralAsCPrintf() {
        assertEquals("3.14", CNumberText.fixed(3.14159, 2, false));
        assertEquals("2.", CNumberText.fixed(2.0, 0, true));
        assertEquals("0.125", CNumberText.fixed(0.125, 3, false));
        assertEquals("0.12", CNumberText.fixed(0.125, 2, false)); // exact tie, to even
        assertEquals("1e+06", CNumberText.general(1e6, 6, false));
        assertEquals("100000", CNumberText.general(1e5, 6, false));
        assertEquals("0.0001", CNumberText.general(1e-4, 6, false));
        assertEquals("1e-05", CNumberText.general(1e-5, 6, false));
        assertEquals("1.00000", CNumberText.general(1.0, 6, true));
    }

    /** The jar's LuaDouble is patched: LuaJ 3.0.1 printed 0.33333334 and 1.0E20 here. */
    @Test
    void luaDoubleUsesTheFormatter() {
        assertEquals("0.33333333333333", LuaValue.valueOf(1.0 / 3).tojstring());
        assertEquals("1e+20", LuaValue.valueOf(1e20).tojstring());
        assertEquals("1e+20", LuaValue.valueOf(1e20).tostring().tojstring());
        assertEquals("-1.5e-07", LuaValue.valueOf(-1.5e-07).checkjstring());
        assertEquals("9007199254740992", LuaDouble.valueOf(0x1p53).tojstring());
        assertEquals("9.2233720368548e+18", LuaDouble.valueOf(0x1p63).tojstring());
        assertEquals("-inf", LuaValue.valueOf(Double.NEGATIVE_INFINITY).tojstring());
        assertEquals("1234567.891", LuaValue.valueOf(1234567.891).concat(LuaValue.valueOf("")).tojstring());
    }
}
