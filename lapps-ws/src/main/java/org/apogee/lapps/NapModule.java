package org.apogee.lapps;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The {@code nap} preload: {@code nap:new()} gives a sleeper {@code o} with {@code o:sleep(s)},
 * {@code o:usleep(us)} and {@code o:nsleep(ns)}. A sleep blocks the instance's thread; it ends early
 * when the service is stopping, so a loop that checks {@code must_stop()} after it ends at once.
 */
final class NapModule {

    private NapModule() {}

    static LuaTable create() {
        LuaTable sleeper = new LuaTable();
        sleeper.set("sleep", sleep("sleep", 1_000_000_000L));
        sleeper.set("usleep", sleep("usleep", 1_000L));
        sleeper.set("nsleep", sleep("nsleep", 1L));
        LuaTable nap = new LuaTable();
        nap.set("new", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                return sleeper;
            }
        });
        return nap;
    }

    private static VarArgFunction sleep(String name, long nanosPerUnit) {
        return new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                if (args.narg() != 2 || !args.arg(2).isnumber()) return valueOf("usage: o:" + name + "(number)");
                long nanos = (long) (args.arg(2).todouble() * nanosPerUnit);
                if (nanos <= 0) return NONE;
                try {
                    Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
                } catch (InterruptedException stopping) {
                    Thread.currentThread().interrupt();
                }
                return NONE;
            }
        };
    }
}
