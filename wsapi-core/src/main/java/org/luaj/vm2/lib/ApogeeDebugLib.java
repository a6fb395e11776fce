package org.luaj.vm2.lib;

import org.apogee.core.lua.LuaCoroutine;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * LuaJ's debug library with cheaper call tracking. LuaJ calls these hooks on every call, return and
 * instruction once the debug library is loaded; its own versions take a monitor each time, which
 * triples interpreter time. A call stack belongs to one {@link LuaThread} and is only touched by the
 * thread running it, so no lock is needed. Lives in LuaJ's package to reach its call-stack types.
 */
public final class ApogeeDebugLib extends DebugLib {

    @Override
    public void onCall(LuaFunction f) {
        LuaThread.State s = globals.running.state;
        if (s.inhook) return;
        push(stack()).set(f);
        if (s.hookcall) callHook(s, valueOf("call"), NIL);
    }

    @Override
    public void onCall(LuaClosure c, Varargs varargs, LuaValue[] stack) {
        LuaThread.State s = globals.running.state;
        if (s.inhook) return;
        push(stack()).set(c, varargs, stack);
        if (s.hookcall) callHook(s, valueOf("call"), NIL);
    }

    @Override
    public void onInstruction(int pc, Varargs v, int top) {
        LuaThread.State s = globals.running.state;
        if (s.hookfunc != null) {
            super.onInstruction(pc, v, top);
            return;
        }
        CallStack cs = (CallStack) globals.running.callstack;
        if (cs != null && cs.calls > 0) {
            CallFrame f = cs.frame[cs.calls - 1];
            f.pc = pc;
            f.v = v;
            f.top = top;
        }
    }

    @Override
    public void onReturn() {
        // Frames of an abandoned coroutine unwinding on its own thread: globals.running is not theirs.
        if (LuaCoroutine.unwindingAbandoned()) return;
        LuaThread.State s = globals.running.state;
        if (s.inhook) return;
        CallStack cs = stack();
        if (cs.calls > 0) cs.frame[--cs.calls].reset();
        if (s.hookrtrn) callHook(s, valueOf("return"), NIL);
    }

    private CallStack stack() {
        LuaThread t = globals.running;
        CallStack cs = (CallStack) t.callstack;
        if (cs == null) t.callstack = cs = new CallStack();
        return cs;
    }

    private static CallFrame push(CallStack cs) {
        if (cs.calls >= cs.frame.length) {
            int n = Math.max(8, cs.frame.length * 3 / 2);
            CallFrame[] f = new CallFrame[n];
            System.arraycopy(cs.frame, 0, f, 0, cs.frame.length);
            for (int i = cs.frame.length; i < n; ++i) f[i] = new CallFrame();
            for (int i = 1; i < n; ++i) f[i].previous = f[i - 1];
            cs.frame = f;
        }
        return cs.frame[cs.calls++];
    }
}
