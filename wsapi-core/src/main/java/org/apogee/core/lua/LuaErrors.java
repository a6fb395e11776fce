package org.apogee.core.lua;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaErrorValue;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;

/**
 * What {@code xpcall} handlers receive. LuaJ calls a thread's error function with its own message
 * string ({@code "@chunk:3 message"}), even for a table raised with {@code error}. Here
 * {@code error} remembers a non-string value until the handler runs, and the handler gets that value,
 * or the message as Lua writes it.
 */
final class LuaErrors {

    private LuaErrors() {}

    /** The value {@code error} raised last without a string, until a handler takes it. */
    private static final ThreadLocal<LuaValue> PENDING = new ThreadLocal<>();

    /** {@code error(v [, level])}, remembering a non-string value for {@link HandlerCall}. */
    static final class Error extends TwoArgFunction {
        Error() {
            this.name = "error";
        }

        @Override public LuaValue call(LuaValue value, LuaValue level) {
            if (value.isnil() || value.isstring()) {
                PENDING.remove();
                throw new LuaError(value.isnil() ? null : value.tojstring(), level.optint(1));
            }
            PENDING.set(value);
            throw new LuaError(value);
        }
    }

    /** Runs an xpcall handler at the point of the error, with the error value Lua would give it. */
    static final class HandlerCall extends OneArgFunction {
        private final LuaValue handler;
        LuaValue result = NIL;
        boolean called;

        HandlerCall(LuaValue handler) {
            this.handler = handler;
        }

        @Override public LuaValue call(LuaValue luajMessage) {
            LuaValue pending = PENDING.get();
            PENDING.remove();
            LuaValue value = pending != null ? pending
                    : luajMessage.isnil() ? NIL : LuaValue.valueOf(clean(luajMessage.tojstring()));
            handle(value);
            // LuaJ keeps this as the error's message: a string
            return result.isstring() ? result : valueOf(result.tojstring());
        }

        LuaValue handle(LuaValue value) {
            called = true;
            result = handler.call(value);
            return result;
        }
    }

    /** "@file.lua:3 boom" (LuaJ) becomes "file.lua:3: boom" (Lua). */
    static String clean(String message) {
        int space = message.indexOf(' ');
        if (space > 0 && (message.startsWith("@") || message.startsWith("="))) {
            String position = message.substring(0, space);
            int colon = position.lastIndexOf(':');
            if (colon > 0) return LuaErrorValue.chunkId(position.substring(0, colon)) + position.substring(colon) + ":"
                    + message.substring(space);
        }
        return message;
    }
}
