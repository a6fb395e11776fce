package org.apogee.lapps;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The {@code nap} preload: {@code nap:new()} gives a sleeper {@code o} with {@code o:sleep(s)},
 * {@code o:usleep(us)} and {@code o:nsleep(ns)}. A sleep parks the instance's virtual thread; it ends
 * early with an error when the service is stopping.
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
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LuaError("interrupted: the service is stopping");
                }
                return NONE;
            }
        };
    }
}
