package org.apogee.core.lua;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Error messages as Lua 5.2 shows them. LuaJ prefixes a message with "@chunk:line " and, once the
 * debug library is loaded, appends a stack traceback to every message {@code pcall} returns. Here
 * a message reads {@code chunk:line: text}; the traceback is kept aside on the state
 * ({@link LuaState#lastTraceback()}) for logs and debug pages. {@code xpcall} hands its handler
 * the error value itself (tables too, as WSAPI's {@code run_app} needs) and returns the handler's
 * result unchanged.
 */
final class LuaErrors {

    private static final Pattern LUAJ_PREFIX = Pattern.compile("^[@=]?(.*?):(\\d+|\\?) (.*)$", Pattern.DOTALL);

    private LuaErrors() {}

    /** "@file.lua:3 boom" becomes "file.lua:3: boom". */
    static String clean(String message) {
        if (message == null) return null;
        Matcher m = LUAJ_PREFIX.matcher(message);
        return m.matches() ? m.group(1) + ":" + m.group(2) + ": " + m.group(3) : message;
    }

    static void install(LuaState state) {
        state.defaultErrorHandler = new DefaultHandler(state);
        state.running.errorfunc = state.defaultErrorHandler;
        state.set("error", new Error(state));
        state.set("xpcall", new Xpcall(state));
    }

    /** Every thread's error function when no xpcall is active: cleans the message, keeps the traceback. */
    static final class DefaultHandler extends OneArgFunction {
        private final LuaState state;

        DefaultHandler(LuaState state) {
            this.state = state;
        }

        @Override public LuaValue call(LuaValue message) {
            state.takePendingErrorObject();
            state.lastTraceback = state.debuglib != null ? state.debuglib.traceback(1) : null;
            return message.isnil() ? NIL : valueOf(clean(message.tojstring()));
        }
    }

    /** error(v [, level]): remembers a non-string value so an xpcall handler receives the value itself. */
    static final class Error extends TwoArgFunction {
        private final LuaState state;

        Error(LuaState state) {
            this.state = state;
        }

        @Override public LuaValue call(LuaValue value, LuaValue level) {
            if (value.isstring()) {
                state.takePendingErrorObject();
                throw new LuaError(value.tojstring(), level.optint(1));
            }
            state.pendingErrorObject = value;
            throw new LuaError(value);
        }
    }

    static final class Xpcall extends VarArgFunction {
        private final LuaState state;

        Xpcall(LuaState state) {
            this.state = state;
        }

        @Override public Varargs invoke(Varargs args) {
            LuaThread t = state.running;
            LuaValue previous = t.errorfunc;
            HandlerCall handler = new HandlerCall(state, args.checkvalue(2));
            t.errorfunc = handler;
            if (state.debuglib != null) state.debuglib.onCall(this);
            try {
                return varargsOf(TRUE, args.arg1().invoke(args.subargs(3)));
            } catch (LuaError e) {
                if (handler.called) return varargsOf(FALSE, handler.result);
                // raised outside any Lua function (nothing ran the handler yet)
                LuaValue v = e.getMessageObject();
                return varargsOf(FALSE, handler.handle(v == null ? NIL : v));
            } finally {
                if (state.debuglib != null) state.debuglib.onReturn();
                t.errorfunc = previous;
            }
        }
    }

    /** Runs the user's handler where the error happened, so debug.traceback still sees the stack. */
    static final class HandlerCall extends OneArgFunction {
        private final LuaState state;
        private final LuaValue handler;
        LuaValue result = NIL;
        boolean called;

        HandlerCall(LuaState state, LuaValue handler) {
            this.state = state;
            this.handler = handler;
        }

        @Override public LuaValue call(LuaValue message) {
            LuaValue pending = state.takePendingErrorObject();
            LuaValue value = pending != null ? pending : message.isnil() ? NIL : valueOf(clean(message.tojstring()));
            return handle(value).isstring() ? result : valueOf(result.tojstring());
        }

        LuaValue handle(LuaValue value) {
            called = true;
            result = handler.call(value);
            return result;
        }
    }

    /** Re-raises an error value unchanged (coroutine.wrap): no second position prefix, no new traceback. */
    static final class Propagated extends LuaError {
        Propagated(LuaValue value) {
            super(value);
            this.traceback = value.isstring() ? value.tojstring() : String.valueOf(value.tojstring());
        }
    }
}
