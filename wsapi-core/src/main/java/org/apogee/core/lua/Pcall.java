package org.apogee.core.lua;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaErrorValue;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * {@code pcall} as in Lua 5.2: on error it returns {@code false} and the error value
 * ({@code "chunk:line: message"} or the error object), without the traceback LuaJ appends when the
 * debug library is loaded, and an enclosing {@code xpcall}'s handler is not called for errors this
 * {@code pcall} catches.
 */
final class Pcall extends VarArgFunction {

    /**
     * An error handler that keeps the message: installed while a pcall runs so that LuaJ neither
     * builds a traceback nobody will read nor calls an outer xpcall's handler.
     */
    static final LuaValue KEEP_MESSAGE = new OneArgFunction() {
        @Override public LuaValue call(LuaValue message) {
            return message;
        }
    };

    private final Globals globals;

    Pcall(Globals globals) {
        this.globals = globals;
        this.name = "pcall";
    }

    // The running thread is read again after the call instead of being kept in a local: a coroutine
    // suspended inside pcall must not be reachable from its own stack (see LuaCoroutine).

    @Override
    public Varargs invoke(Varargs args) {
        LuaValue func = args.checkvalue(1);
        LuaValue handler = globals.running.errorfunc;
        globals.running.errorfunc = KEEP_MESSAGE;
        if (globals.debuglib != null) globals.debuglib.onCall(this);
        try {
            return varargsOf(TRUE, func.invoke(args.subargs(2)));
        } catch (LuaError e) {
            return varargsOf(FALSE, LuaErrorValue.of(e));
        } catch (RuntimeException e) {
            String m = e.getMessage();
            return varargsOf(FALSE, valueOf(m != null ? m : e.toString()));
        } finally {
            if (!LuaCoroutine.unwindingAbandoned()) {
                if (globals.debuglib != null) globals.debuglib.onReturn();
                globals.running.errorfunc = handler;
            }
        }
    }

    /**
     * {@code xpcall} as in Lua 5.2: the handler runs where the error happened (so {@code debug.traceback}
     * sees the stack), receives the error value itself ({@code "chunk:line: message"} or the object
     * given to {@code error}), and its result is returned unchanged. Does not keep the running coroutine
     * in a local.
     */
    static final class Xpcall extends VarArgFunction {
        private final Globals globals;

        Xpcall(Globals globals) {
            this.globals = globals;
            this.name = "xpcall";
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue previous = globals.running.errorfunc;
            LuaErrors.HandlerCall handler = new LuaErrors.HandlerCall(args.checkvalue(2));
            globals.running.errorfunc = handler;
            if (globals.debuglib != null) globals.debuglib.onCall(this);
            try {
                return varargsOf(TRUE, args.arg1().invoke(args.subargs(3)));
            } catch (LuaError e) {
                // the handler ran where the error happened; if nothing called it yet, call it now
                return varargsOf(FALSE, handler.called ? handler.result : handler.handle(LuaErrorValue.of(e)));
            } catch (RuntimeException e) {
                String m = e.getMessage();
                return varargsOf(FALSE, valueOf(m != null ? m : e.toString()));
            } finally {
                if (!LuaCoroutine.unwindingAbandoned()) {
                    if (globals.debuglib != null) globals.debuglib.onReturn();
                    globals.running.errorfunc = previous;
                }
            }
        }
    }
}
