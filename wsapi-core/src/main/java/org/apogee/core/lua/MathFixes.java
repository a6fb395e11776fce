package org.apogee.core.lua;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.TwoArgFunction;

/** Repairs LuaJ's math library: {@code math.log(x, base)} ignored its base. */
final class MathFixes {

    private MathFixes() {}

    static void install(LuaState g) {
        ((LuaTable) g.get("math")).set("log", new Log());
    }

    /** {@code math.log(x [, base])} as in Lua 5.2 (base 10 through {@link Math#log10}, as C's log10). */
    static final class Log extends TwoArgFunction {
        @Override public LuaValue call(LuaValue x, LuaValue base) {
            double v = x.checkdouble();
            if (base.isnil()) return valueOf(Math.log(v));
            double b = base.checkdouble();
            if (b == 10.0) return valueOf(Math.log10(v));
            if (b == 2.0) return valueOf(Math.log(v) / Math.log(2.0));
            return valueOf(Math.log(v) / Math.log(b));
        }
    }
}
