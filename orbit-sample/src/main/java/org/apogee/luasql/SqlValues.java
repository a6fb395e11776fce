package org.apogee.luasql;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;

/**
 * How values cross between Lua and SQL. Out of the database: NULL is nil, integers and floats are
 * numbers, booleans are booleans, text and blobs are strings (bytes as stored), anything else
 * (dates, times, ...) the database's text form. Into it: nil is NULL, numbers are integers when whole
 * and floats otherwise, booleans are booleans, strings are text (a string that is not UTF-8 goes in
 * as a blob, byte for byte).
 */
final class SqlValues {

    private SqlValues() {}

    static LuaValue column(ResultSet rs, int i, SqlDriver driver) throws SQLException {
        Object o = rs.getObject(i);
        if (o == null) return LuaValue.NIL;
        if (o instanceof Boolean b) return LuaValue.valueOf(b);
        if (o instanceof Integer || o instanceof Short || o instanceof Byte) return LuaValue.valueOf(((Number) o).intValue());
        if (o instanceof Long l) return number(l);
        if (o instanceof Float || o instanceof Double) return LuaValue.valueOf(((Number) o).doubleValue());
        if (o instanceof BigDecimal d) {
            try {
                return number(d.longValueExact());
            } catch (ArithmeticException notWhole) {
                return LuaValue.valueOf(d.doubleValue());
            }
        }
        if (o instanceof BigInteger b) return LuaValue.valueOf(b.doubleValue());
        if (o instanceof byte[] bytes) return LuaString.valueUsing(bytes);
        if (o instanceof String s) {
            if (driver == SqlDriver.SQLITE3) {
                byte[] raw = rs.getBytes(i); // the stored bytes, even when they are not UTF-8
                if (raw != null) return LuaString.valueUsing(raw);
            }
            return LuaValue.valueOf(s.getBytes(StandardCharsets.UTF_8));
        }
        String text = rs.getString(i);
        return text == null ? LuaValue.NIL : LuaValue.valueOf(text.getBytes(StandardCharsets.UTF_8));
    }

    private static LuaValue number(long l) {
        return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? LuaValue.valueOf((int) l) : LuaValue.valueOf((double) l);
    }

    static void bind(PreparedStatement ps, LuaValue[] params, SqlDriver driver) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            LuaValue v = params[i];
            int at = i + 1;
            switch (v.type()) {
                case LuaValue.TNIL -> ps.setNull(at, Types.NULL);
                case LuaValue.TBOOLEAN -> ps.setBoolean(at, v.toboolean());
                case LuaValue.TNUMBER -> {
                    double d = v.todouble();
                    if (d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) ps.setLong(at, (long) d);
                    else ps.setDouble(at, d);
                }
                case LuaValue.TSTRING -> {
                    LuaString s = v.checkstring();
                    byte[] bytes = new byte[s.rawlen()];
                    s.copyInto(0, bytes, 0, bytes.length);
                    String text = utf8(bytes);
                    if (text != null) ps.setString(at, text);
                    else ps.setBytes(at, bytes);
                }
                default -> throw new LuaError("LuaSQL: cannot bind a " + v.typename() + " (parameter " + at + ")");
            }
        }
    }

    /** The string, or null when the bytes are not UTF-8. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** {@code conn:escape(s)}: single quotes doubled, for use inside a quoted SQL literal. */
    static LuaValue escape(LuaString s) {
        int n = s.rawlen();
        byte[] out = new byte[n * 2];
        int j = 0;
        for (int i = 0; i < n; i++) {
            byte b = (byte) s.luaByte(i);
            out[j++] = b;
            if (b == '\'') out[j++] = '\'';
        }
        return LuaString.valueOf(out, 0, j);
    }
}
