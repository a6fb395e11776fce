package org.apogee.luasql;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * A LuaSQL cursor over a JDBC result set.
 *
 * <p>{@code cur:fetch()} returns the next row's values; {@code cur:fetch(t, mode)} fills {@code t} by
 * column number ({@code "n"}, the default), by column name ({@code "a"}) or both ({@code "an"}) and
 * returns it. After the last row it returns nil and closes itself. NULL is nil. {@code getcolnames()}
 * and {@code getcoltypes()} return arrays (types as the database declares them, e.g. {@code INTEGER},
 * {@code varchar}); {@code close()} returns false when already closed.
 */
final class SqlCursor implements AutoCloseable {

    private final SqlConnection conn;
    private final ResultSet rs;
    private final Statement owned;
    private final LuaValue[] names;
    private final String[] types;
    private boolean closed, exhausted;

    SqlCursor(SqlConnection conn, ResultSet rs, Statement owned) throws SQLException {
        this.conn = conn;
        this.rs = rs;
        this.owned = owned;
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        names = new LuaValue[n];
        types = new String[n];
        for (int i = 0; i < n; i++) {
            String label = md.getColumnLabel(i + 1);
            names[i] = LuaValue.valueOf(label == null ? md.getColumnName(i + 1) : label);
            String t;
            try {
                t = md.getColumnTypeName(i + 1);
            } catch (SQLException e) {
                t = null;
            }
            types[i] = t == null ? "" : t;
        }
    }

    Varargs fetch(LuaValue table, String mode) {
        if (closed && !exhausted) throw new LuaError("LuaSQL: cursor is closed");
        if (exhausted) return LuaValue.NIL;
        try {
            if (!rs.next()) {
                exhausted = true;
                close();
                return LuaValue.NIL;
            }
            int n = names.length;
            if (table.istable()) {
                boolean num = mode.contains("n"), alpha = mode.contains("a");
                for (int i = 0; i < n; i++) {
                    LuaValue v = SqlValues.column(rs, i + 1, conn.driver);
                    if (num) table.set(i + 1, v);
                    if (alpha) table.set(names[i], v);
                }
                return table;
            }
            LuaValue[] values = new LuaValue[n];
            for (int i = 0; i < n; i++) values[i] = SqlValues.column(rs, i + 1, conn.driver);
            return LuaValue.varargsOf(values);
        } catch (SQLException e) {
            throw new LuaError("LuaSQL: error fetching result. " + conn.driver.displayName + ": " + SqlObjects.message(e));
        }
    }

    LuaValue colNames() {
        open();
        return LuaValue.listOf(names.clone());
    }

    LuaValue colTypes() {
        open();
        LuaTable t = new LuaTable();
        for (int i = 0; i < types.length; i++) t.set(i + 1, LuaValue.valueOf(types[i]));
        return t;
    }

    /** Rows not yet fetched are unknown to a forward-only cursor: nil (LuaSQL's SQLite driver has no numrows). */
    LuaValue numRows() {
        open();
        return LuaValue.NIL;
    }

    private void open() {
        if (closed && !exhausted) throw new LuaError("LuaSQL: cursor is closed");
    }

    @Override
    public void close() {
        closeCursor();
    }

    boolean closeCursor() {
        if (closed) return false;
        closed = true;
        conn.forget(this);
        SqlConnection.closeQuietly(rs);
        SqlConnection.closeQuietly(owned);
        return true;
    }
}
