package org.apogee.luasql;

import java.sql.PreparedStatement;
import java.sql.SQLException;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * What {@code conn:prepare(sql)} returns: {@code stmt:execute(v1, v2, ...)} binds the values to the
 * {@code ?} placeholders and answers as {@code conn:execute} does; {@code stmt:close()}.
 * Executing it again closes the cursor of the previous execution.
 */
final class SqlStatement implements AutoCloseable {

    private final SqlConnection conn;
    private final PreparedStatement ps;
    private boolean closed;

    SqlStatement(SqlConnection conn, PreparedStatement ps) {
        this.conn = conn;
        this.ps = ps;
    }

    Varargs execute(LuaValue[] params) {
        if (closed || conn.isClosed()) throw new LuaError("LuaSQL: statement is closed");
        try {
            ps.clearParameters();
            SqlValues.bind(ps, params, conn.driver);
            return conn.result(ps, ps.execute(), false);
        } catch (SQLException e) {
            return conn.error("error executing statement", e);
        }
    }

    @Override
    public void close() {
        closeStatement();
    }

    boolean closeStatement() {
        if (closed) return false;
        closed = true;
        conn.forget(this);
        SqlConnection.closeQuietly(ps);
        return true;
    }
}
