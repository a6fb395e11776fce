package org.apogee.luasql;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import org.apogee.core.lua.LuaModuleProvider;
import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * {@code require "luasql.sqlite3"} and {@code require "luasql.postgres"}: the LuaSQL 2 API on JDBC.
 *
 * <p>Each module returns the state's {@code luasql} table (also set as the global {@code luasql}, as
 * LuaSQL 2.1 did, so {@code require "luasql.sqlite3"; luasql.sqlite3()} works) with the driver's
 * environment constructor added to it. See {@link SqlConnection} for what connections offer.
 */
public final class LuaSqlModules implements LuaModuleProvider {

    @Override
    public Map<String, Function<LuaState, LuaValue>> modules() {
        Map<String, Function<LuaState, LuaValue>> m = new LinkedHashMap<>();
        for (SqlDriver driver : SqlDriver.values()) {
            m.put("luasql." + driver.luaName, state -> module(state, driver));
        }
        return m;
    }

    static LuaValue module(LuaState state, SqlDriver driver) {
        LuaValue existing = state.get("luasql");
        LuaTable luasql;
        if (existing.istable()) {
            luasql = (LuaTable) existing;
        } else {
            luasql = new LuaTable();
            luasql.set("_VERSION", "LuaSQL 2.6.0 (Apogee, JDBC)");
            luasql.set("_COPYRIGHT", "Apogee");
            luasql.set("_DESCRIPTION", "LuaSQL is a simple interface from Lua to a DBMS (here through JDBC)");
            state.set("luasql", luasql);
        }
        SqlObjects objects = SqlObjects.forState(state);
        luasql.set(driver.luaName, new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                return objects.newEnvironment(driver);
            }
        });
        return luasql;
    }
}
