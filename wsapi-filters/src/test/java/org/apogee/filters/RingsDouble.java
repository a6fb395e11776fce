package org.apogee.filters;

import org.apogee.core.lua.LuaState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * A stand-in for the {@code rings} module, following its manual, so the isolation filter's own
 * logic is tested before Rings itself is part of the build: {@code rings.new(env)} makes a child
 * state (a fresh state of the same runtime), {@code child:dostring(code, ...)} runs code there and
 * returns {@code true, results...} or {@code false, message}, and the child's
 * {@code remotedostring(code, ...)} runs code in the parent with {@code env} as its globals. Only
 * nil, booleans, numbers and strings cross; anything else arrives as nil.
 */
final class RingsDouble {

    private RingsDouble() {}

    static LuaValue create(LuaState parent) {
        LuaTable m = new LuaTable();
        m.set("new", new OneArgFunction() {
            @Override public LuaValue call(LuaValue env) {
                return child(parent, env.isnil() ? parent : env.checktable());
            }
        });
        return m;
    }

    private static LuaValue child(LuaState parent, LuaValue parentEnv) {
        LuaState child = parent.runtime().newState();
        child.set("remotedostring", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                return run(parent, args.checkjstring(1), parentEnv, args.subargs(2));
            }
        });
        LuaTable state = new LuaTable();
        state.set("dostring", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                if (child.get("remotedostring").isnil()) throw new LuaError("dostring on a closed state");
                return run(child, args.checkjstring(2), child, args.subargs(3));
            }
        });
        state.set("close", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                child.set("remotedostring", NIL);
                return NONE;
            }
        });
        return state;
    }

    private static Varargs run(LuaState in, String code, LuaValue globals, Varargs args) {
        LuaState previous = in.enter();
        try {
            LuaValue chunk = in.load(code, "=(rings)", (org.luaj.vm2.LuaTable) globals);
            Varargs results = chunk.invoke(copy(args));
            return LuaValue.varargsOf(LuaValue.TRUE, copy(results));
        } catch (LuaError e) {
            LuaValue message = org.luaj.vm2.LuaErrorValue.of(e);
            return LuaValue.varargsOf(LuaValue.FALSE, message.isstring() ? message : LuaValue.NIL);
        } finally {
            LuaState.leave(previous);
        }
    }

    private static Varargs copy(Varargs v) {
        LuaValue[] out = new LuaValue[v.narg()];
        for (int i = 0; i < out.length; i++) {
            LuaValue x = v.arg(i + 1);
            out[i] = x.isnil() || x.isboolean() || x.type() == LuaValue.TNUMBER || x.type() == LuaValue.TSTRING ? x : LuaValue.NIL;
        }
        return LuaValue.varargsOf(out);
    }
}
