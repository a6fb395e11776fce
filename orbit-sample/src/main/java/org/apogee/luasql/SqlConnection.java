package org.apogee.luasql;

import java.lang.ref.Cleaner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * A LuaSQL connection over one JDBC connection.
 *
 * <ul>
 * <li>{@code conn:execute(sql)} returns a cursor for a statement that yields rows, else the number
 *     of rows changed (0 for DDL); on failure {@code nil, message}.
 * <li>{@code conn:execute(sql, v1, v2, ...)} (or {@code conn:execute(sql, {v1, v2, ..., n=})}) binds the
 *     values to the {@code ?} placeholders: values never become SQL text.
 * <li>{@code conn:prepare(sql)} returns a statement whose {@code execute(...)} does the same, repeatedly.
 * <li>{@code commit}, {@code rollback}, {@code setautocommit} return true, or false and a message.
 * <li>{@code getlastautoid()} is the rowid of the last insert (SQLite) or {@code lastval()} (PostgreSQL).
 * <li>{@code close()} closes the cursors still open, then the connection; false when already closed.
 * </ul>
 * A connection that becomes garbage without {@code close()} is closed by the JVM's cleaner; one still
 * open when its Lua state is closed (the app's pool closes: the server stops, the web application is
 * undeployed) is closed then.
 */
final class SqlConnection {

    private static final Cleaner CLEANER = Cleaner.create();

    final SqlObjects objects;
    final SqlDriver driver;
    private final Connection jdbc;
    private final Set<AutoCloseable> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Cleaner.Cleanable cleanable;
    private boolean closed;

    SqlConnection(SqlObjects objects, SqlDriver driver, Connection jdbc, LuaState state) {
        this.objects = objects;
        this.driver = driver;
        this.jdbc = jdbc;
        Runnable closeJdbc = () -> {
            try {
                jdbc.close();
            } catch (SQLException ignored) {
                // nothing to tell anyone: nobody uses the connection any more
            }
        };
        // closed with its state (the pool closes, the web application is undeployed)...
        AutoCloseable withState = state == null ? () -> {} : state.atClose(closeJdbc);
        // ...or when it becomes garbage; neither action holds this object, so it can become garbage
        this.cleanable = CLEANER.register(this, () -> {
            closeJdbc.run();
            closeQuietly(withState);
        });
    }

    boolean isClosed() {
        return closed;
    }

    Varargs execute(String sql, LuaValue[] params) {
        Statement st = null;
        try {
            boolean rows;
            if (params.length == 0) {
                st = jdbc.createStatement();
                rows = st.execute(sql);
            } else {
                PreparedStatement ps = jdbc.prepareStatement(sql);
                st = ps;
                SqlValues.bind(ps, params, driver);
                rows = ps.execute();
            }
            return result(st, rows, true);
        } catch (SQLException e) {
            closeQuietly(st);
            return error("error executing query", e);
        }
    }

    /** A cursor (which then owns {@code st} when {@code ownsStatement}) or the update count. */
    Varargs result(Statement st, boolean rows, boolean ownsStatement) throws SQLException {
        if (rows) {
            ResultSet rs = st.getResultSet();
            SqlCursor cursor = new SqlCursor(this, rs, ownsStatement ? st : null);
            open.add(cursor);
            return objects.wrap(cursor, objects.cursorMeta);
        }
        int count = st.getUpdateCount();
        if (ownsStatement) st.close();
        return LuaValue.valueOf(Math.max(count, 0));
    }

    Varargs prepare(String sql) {
        try {
            SqlStatement s = new SqlStatement(this, jdbc.prepareStatement(sql));
            open.add(s);
            return objects.wrap(s, objects.stmtMeta);
        } catch (SQLException e) {
            return error("error preparing statement", e);
        }
    }

    void forget(AutoCloseable c) {
        open.remove(c);
    }

    Varargs commit() {
        try {
            jdbc.commit();
            return LuaValue.TRUE;
        } catch (SQLException e) {
            return LuaValue.varargsOf(LuaValue.FALSE, message("error committing", e));
        }
    }

    Varargs rollback() {
        try {
            jdbc.rollback();
            return LuaValue.TRUE;
        } catch (SQLException e) {
            return LuaValue.varargsOf(LuaValue.FALSE, message("error rolling back", e));
        }
    }

    Varargs setAutoCommit(boolean on) {
        try {
            jdbc.setAutoCommit(on);
            return LuaValue.TRUE;
        } catch (SQLException e) {
            return LuaValue.varargsOf(LuaValue.FALSE, message("error setting autocommit", e));
        }
    }

    /** The last generated id, or nil when there is none. */
    Varargs lastAutoId() {
        boolean savepoint = false;
        java.sql.Savepoint sp = null;
        try {
            // in a transaction a failing lastval() would abort it on PostgreSQL: guard it with a savepoint
            if (driver == SqlDriver.POSTGRES && !jdbc.getAutoCommit()) {
                sp = jdbc.setSavepoint();
                savepoint = true;
            }
            try (Statement st = jdbc.createStatement(); ResultSet rs = st.executeQuery(driver.lastIdQuery())) {
                LuaValue v = rs.next() ? SqlValues.column(rs, 1, driver) : LuaValue.NIL;
                if (savepoint) jdbc.releaseSavepoint(sp);
                return v;
            }
        } catch (SQLException e) {
            if (savepoint) {
                try {
                    jdbc.rollback(sp);
                } catch (SQLException ignored) {
                    // the transaction reports its own state on the next statement
                }
            }
            return LuaValue.NIL;
        }
    }

    boolean close() {
        if (closed) return false;
        closed = true;
        for (AutoCloseable c : new ArrayList<>(open)) closeQuietly(c);
        open.clear();
        cleanable.clean();
        return true;
    }

    Varargs error(String what, SQLException e) {
        return LuaValue.varargsOf(LuaValue.NIL, message(what, e));
    }

    LuaValue message(String what, Exception e) {
        return LuaValue.valueOf("LuaSQL: " + what + ". " + driver.displayName + ": " + SqlObjects.message(e));
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // closing is best effort
        }
    }

    List<AutoCloseable> openObjects() {
        return List.copyOf(open);
    }
}
