package org.apogee.filters;

import java.util.Map;
import java.util.function.Function;

import org.apogee.core.lua.LuaModuleProvider;
import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.ZeroArgFunction;

/**
 * Lua modules for the filter specs only:
 * {@code wsapi.filters.test.request} ({@code finish()} ends the current "request": runs what
 * {@code at_end} registered, as the server does) and {@code wsapi.filters.test.rings} (a stand-in
 * for Rings built on the runtime's own states, see {@link RingsDouble}).
 */
public final class TestModules implements LuaModuleProvider {

    @Override
    public Map<String, Function<LuaState, LuaValue>> modules() {
        return Map.of(
                "wsapi.filters.test.request", TestModules::request,
                "wsapi.filters.test.rings", RingsDouble::create);
    }

    private static LuaValue request(LuaState state) {
        LuaTable m = new LuaTable();
        m.set("finish", new ZeroArgFunction() {
            @Override public LuaValue call() {
                state.runEndActions();
                return NONE;
            }
        });
        return m;
    }
}
