package org.apogee.lapps;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.ZeroArgFunction;

/** The {@code time} preload: {@code time.now()} is the wall clock in whole milliseconds since the Unix epoch. */
final class TimeModule {

    private TimeModule() {}

    static LuaTable create() {
        LuaTable t = new LuaTable();
        t.set("now", new ZeroArgFunction() {
            @Override public LuaValue call() {
                return valueOf((double) System.currentTimeMillis());
            }
        });
        return t;
    }
}
