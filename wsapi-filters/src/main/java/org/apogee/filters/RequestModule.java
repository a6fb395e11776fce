package org.apogee.filters;

import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.OneArgFunction;

/**
 * {@code require "wsapi.filters.request_end"}: {@code at_end(fn)} runs {@code fn()} once the
 * current request is over — its body sent, or given up because the client left or the app failed.
 * Filters use it for what must happen whatever the outcome (an access-log line, closing a file).
 * Functions run in reverse order of registration; an error in one is logged and the others still run.
 * Outside a request (a script run by {@code apogee lua}) nothing ends the request, so they do not run.
 */
public final class RequestModule {

    private RequestModule() {}

    public static LuaValue create(LuaState state) {
        LuaTable m = new LuaTable();
        m.set("at_end", new OneArgFunction() {
            @Override public LuaValue call(LuaValue fn) {
                if (!fn.isfunction()) throw new LuaError("at_end: expected a function (got " + fn.typename() + ")");
                state.atEnd(() -> fn.call());
                return NONE;
            }
        });
        return m;
    }
}
