package org.apogee.core.lua;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.ThreeArgFunction;

/**
 * {@code require "apogee.config"}: what Lua code may know about how the host runs, read-only.
 * {@code debug} is true in development mode ({@code --debug}, or {@code debug=true} for a WAR);
 * {@code mode} is {@code "development"} or {@code "production"} accordingly. Filters use it to
 * refuse unsafe defaults in production (a session filter without a secret, for one).
 */
final class ConfigLib {

    private ConfigLib() {}

    static LuaValue create(LuaState state) {
        LuaTable values = new LuaTable();
        values.set("debug", LuaValue.valueOf(state.debug()));
        values.set("mode", LuaValue.valueOf(state.debug() ? "development" : "production"));
        LuaTable meta = new LuaTable();
        meta.set(LuaValue.INDEX, values);
        meta.set(LuaValue.NEWINDEX, new ThreeArgFunction() {
            @Override public LuaValue call(LuaValue t, LuaValue k, LuaValue v) {
                throw new LuaError("apogee.config is read-only (tried to set '" + k.tojstring() + "')");
            }
        });
        meta.set(LuaValue.METATABLE, LuaValue.FALSE);
        LuaTable config = new LuaTable();
        config.setmetatable(meta);
        return config;
    }
}
