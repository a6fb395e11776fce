package org.apogee.core.lua;

import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.OneArgFunction;

/** Coroutine bodies that block in Java or end the script; shared by the in-process and child-JVM tests. */
final class CoroutineBlocking {

    private CoroutineBlocking() {}

    static final String HANDOFF = """
            local block = ...
            local co = coroutine.wrap(function(a)
              local b = coroutine.yield(a .. "1")
              local got = block(b)
              local c = coroutine.yield(got .. "2")
              return c .. "3"
            end)
            return co("x") .. co(20) .. co("z")
            """;

    /** A Lua function that sleeps its argument in milliseconds, then returns "slept". */
    static LuaValue sleeper() {
        return new OneArgFunction() {
            @Override public LuaValue call(LuaValue ms) {
                try {
                    Thread.sleep(ms.checklong());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new org.luaj.vm2.LuaError("interrupted");
                }
                return valueOf("slept");
            }
        };
    }

    /** Runs a coroutine that sleeps between two yields; "x1slept2z3" when everything arrived in order. */
    static String sleepInsideCoroutine() {
        LuaState state = new LuaRuntime(LuaRuntime.Options.defaults()).newState();
        return run(state, HANDOFF, sleeper());
    }

    static String run(LuaState state, String source, LuaValue arg) {
        LuaState previous = state.enter();
        try {
            return state.load(source, "=blocking").call(arg).tojstring();
        } finally {
            LuaState.leave(previous);
        }
    }

    /** os.exit inside a coroutine, through wrap and through resume: "7,8" when both raised LuaExit. */
    static String exitInsideCoroutine() {
        LuaState state = new LuaRuntime(LuaRuntime.Options.defaults()).newState();
        StringBuilder out = new StringBuilder();
        for (String source : new String[] {
                "coroutine.wrap(function() coroutine.yield() end)() ; coroutine.wrap(function() os.exit(7) end)()",
                "local co = coroutine.create(function() pcall(os.exit, 8) end); coroutine.resume(co); return 'resumed'"}) {
            try {
                LuaValue r = state.run(source, "=exit");
                out.append(out.isEmpty() ? "" : ",").append("returned ").append(r.tojstring());
            } catch (LuaExit e) {
                out.append(out.isEmpty() ? "" : ",").append(e.status());
            }
        }
        return out.toString();
    }
}
