package org.apogee.luasql;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A connection an app keeps open for the life of its Lua state is closed with the state. */
class ConnectionLifetimeTest {

    @TempDir Path tmp;

    @Test
    void closingTheStateClosesTheConnectionsStillOpen() {
        LuaState state = new LuaRuntime(LuaRuntime.Options.defaults().withWorkingDirectory(tmp)).newState();
        state.run("""
                local luasql = require "luasql.sqlite3"
                kept = assert(luasql.sqlite3():connect("kept.db"))
                assert(kept:execute("create table t (x integer)"))
                closed = assert(luasql.sqlite3():connect("closed.db"))
                assert(closed:close())
                """, "=setup");
        state.close();
        // using it now fails: its JDBC connection was closed with the state
        String answer = state.load("""
                local ok, result, message = pcall(kept.execute, kept, "select 1")
                return tostring(ok) .. " " .. tostring(result) .. " " .. tostring(message)
                """, "=check").call().tojstring();
        assertTrue(answer.startsWith("true nil ") && answer.contains("closed"), answer);
    }
}
