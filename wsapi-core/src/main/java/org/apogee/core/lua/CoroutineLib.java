package org.apogee.core.lua;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.LibFunction;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;

/**
 * The {@code coroutine} library on {@link LuaCoroutine}: the full Lua 5.2 API (plus
 * {@code isyieldable}), with no platform thread per coroutine and nothing left behind when a
 * coroutine is abandoned.
 */
final class CoroutineLib extends TwoArgFunction {

    private Globals globals;

    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        globals = env.checkglobals();
        LuaTable t = new LuaTable();
        t.set("create", new OneArgFunction() {
            @Override public LuaValue call(LuaValue f) {
                return new LuaCoroutine(globals, f.checkfunction());
            }
        });
        t.set("resume", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                return args.checkthread(1).resume(args.subargs(2));
            }
        });
        t.set("yield", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                return LuaCoroutine.yield(globals, args);
            }
        });
        t.set("status", new OneArgFunction() {
            @Override public LuaValue call(LuaValue co) {
                return valueOf(co.checkthread().getStatus());
            }
        });
        t.set("running", new VarArgFunction() {
            @Override public Varargs invoke(Varargs args) {
                LuaThread r = globals.running;
                return varargsOf(r, valueOf(r.isMainThread()));
            }
        });
        t.set("isyieldable", new ZeroArgFunction() {
            @Override public LuaValue call() {
                return valueOf(globals.running instanceof LuaCoroutine);
            }
        });
        t.set("wrap", new OneArgFunction() {
            @Override public LuaValue call(LuaValue f) {
                return new Wrapper(new LuaCoroutine(globals, f.checkfunction()));
            }
        });
        env.set("coroutine", t);
        env.get("package").get("loaded").set("coroutine", t);
        return t;
    }

    /** The function {@code coroutine.wrap} returns: errors propagate with their original value. */
    static final class Wrapper extends LibFunction {
        private final LuaCoroutine co;

        Wrapper(LuaCoroutine co) {
            this.co = co;
        }

        @Override public LuaValue call() { return invoke(NONE).arg1(); }
        @Override public LuaValue call(LuaValue a) { return invoke(a).arg1(); }
        @Override public LuaValue call(LuaValue a, LuaValue b) { return invoke(varargsOf(a, b)).arg1(); }
        @Override public LuaValue call(LuaValue a, LuaValue b, LuaValue c) { return invoke(varargsOf(a, b, c)).arg1(); }

        @Override
        public Varargs invoke(Varargs args) {
            Varargs r = co.resume(args);
            if (r.arg1().toboolean()) return r.subargs(2);
            throw co.rethrow(r.arg(2));
        }

        @Override public String tojstring() { return "function: coroutine.wrap"; }
    }
}
