package org.apogee.luasql;

import java.sql.SQLException;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The Lua side of LuaSQL objects in one state: environments, connections, statements and cursors are
 * userdata whose metatables (built once per state) hold their methods.
 */
final class SqlObjects {

    /** Per state, so both drivers share the metatables; states that are gone drop out. */
    private static final Map<LuaState, SqlObjects> BY_STATE = Collections.synchronizedMap(new WeakHashMap<>());

    // weak: the map above holds this object as long as the state lives, and no longer
    private final java.lang.ref.WeakReference<LuaState> state;
    final LuaTable envMeta, connMeta, stmtMeta, cursorMeta;

    private SqlObjects(LuaState owner) {
        this.state = new java.lang.ref.WeakReference<>(owner);
        envMeta = meta("environment");
        connMeta = meta("connection");
        stmtMeta = meta("statement");
        cursorMeta = meta("cursor");

        LuaTable env = methods(envMeta);
        env.set("connect", method(args -> {
            SqlEnvironment e = self(args, SqlEnvironment.class, "environment");
            if (e.closed) throw new LuaError("LuaSQL: environment is closed");
            try {
                LuaState st = this.state.get();
                return wrap(new SqlConnection(this, e.driver, e.driver.connect(st, args), st), connMeta);
            } catch (SQLException | RuntimeException ex) {
                if (ex instanceof LuaError le) throw le;
                return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf(
                        "LuaSQL: error connecting to database. " + e.driver.displayName + ": " + message(ex)));
            }
        }));
        env.set("close", method(args -> {
            SqlEnvironment e = self(args, SqlEnvironment.class, "environment");
            boolean was = !e.closed;
            e.closed = true;
            return LuaValue.valueOf(was);
        }));

        LuaTable conn = methods(connMeta);
        conn.set("execute", method(args -> open(args).execute(args.checkjstring(2), params(args, 3))));
        conn.set("prepare", method(args -> open(args).prepare(args.checkjstring(2))));
        conn.set("escape", method(args -> {
            open(args);
            return SqlValues.escape(args.checkstring(2));
        }));
        conn.set("commit", method(args -> open(args).commit()));
        conn.set("rollback", method(args -> open(args).rollback()));
        conn.set("setautocommit", method(args -> open(args).setAutoCommit(args.arg(2).toboolean())));
        conn.set("getlastautoid", method(args -> open(args).lastAutoId()));
        conn.set("close", method(args -> LuaValue.valueOf(self(args, SqlConnection.class, "connection").close())));

        LuaTable stmt = methods(stmtMeta);
        stmt.set("execute", method(args -> {
            SqlStatement s = self(args, SqlStatement.class, "statement");
            return s.execute(params(args, 2));
        }));
        stmt.set("close", method(args -> LuaValue.valueOf(self(args, SqlStatement.class, "statement").closeStatement())));

        LuaTable cur = methods(cursorMeta);
        cur.set("fetch", method(args -> self(args, SqlCursor.class, "cursor").fetch(args.arg(2), args.optjstring(3, "n"))));
        cur.set("getcolnames", method(args -> self(args, SqlCursor.class, "cursor").colNames()));
        cur.set("getcoltypes", method(args -> self(args, SqlCursor.class, "cursor").colTypes()));
        cur.set("numrows", method(args -> self(args, SqlCursor.class, "cursor").numRows()));
        cur.set("close", method(args -> LuaValue.valueOf(self(args, SqlCursor.class, "cursor").closeCursor())));
    }

    /** This state's objects, built on first use. */
    static SqlObjects forState(LuaState state) {
        return BY_STATE.computeIfAbsent(state, SqlObjects::new);
    }

    LuaValue newEnvironment(SqlDriver driver) {
        return wrap(new SqlEnvironment(driver), envMeta);
    }

    LuaValue wrap(Object o, LuaTable meta) {
        return new LuaUserdata(o, meta);
    }

    static String message(Exception e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private SqlConnection open(Varargs args) {
        SqlConnection c = self(args, SqlConnection.class, "connection");
        if (c.isClosed()) throw new LuaError("LuaSQL: connection is closed");
        return c;
    }

    /** Bind values: the arguments from {@code first} on, or the items of one table argument (up to {@code n} or {@code #t}). */
    private static LuaValue[] params(Varargs args, int first) {
        int n = args.narg() - first + 1;
        if (n <= 0) return new LuaValue[0];
        if (n == 1 && args.arg(first).istable()) {
            LuaValue t = args.arg(first);
            int len = t.get("n").isnumber() ? t.get("n").toint() : t.length();
            LuaValue[] out = new LuaValue[len];
            for (int i = 0; i < len; i++) out[i] = t.get(i + 1);
            return out;
        }
        LuaValue[] out = new LuaValue[n];
        for (int i = 0; i < n; i++) out[i] = args.arg(first + i);
        return out;
    }

    private static <T> T self(Varargs args, Class<T> type, String what) {
        LuaValue v = args.arg1();
        if (v instanceof LuaUserdata u && type.isInstance(u.m_instance)) return type.cast(u.m_instance);
        throw new LuaError("bad argument #1 (LuaSQL " + what + " expected, got " + v.typename() + ")");
    }

    private interface Body {
        Varargs call(Varargs args);
    }

    private static VarArgFunction method(Body body) {
        return new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                return body.call(args);
            }
        };
    }

    private static LuaTable meta(String what) {
        LuaTable m = new LuaTable();
        m.set("__index", new LuaTable());
        m.set("__metatable", "LuaSQL: you're not allowed to get this metatable");
        m.set("__tostring", method(args -> {
            Object o = ((LuaUserdata) args.arg1()).m_instance;
            String name = o instanceof SqlEnvironment e ? e.driver.displayName + " environment"
                    : o instanceof SqlConnection c ? c.driver.displayName + " connection"
                    : o instanceof SqlCursor ? "cursor" : "statement";
            return LuaValue.valueOf(name + " (0x" + Integer.toHexString(System.identityHashCode(o)) + ")");
        }));
        return m;
    }

    private static LuaTable methods(LuaTable meta) {
        return (LuaTable) meta.get("__index");
    }

    /** What {@code luasql.<driver>()} returns. */
    static final class SqlEnvironment {
        final SqlDriver driver;
        boolean closed;

        SqlEnvironment(SqlDriver driver) {
            this.driver = driver;
        }
    }
}
