package org.luaj.vm2;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The value Lua code sees for a caught {@link LuaError}, as Lua 5.2 gives it: the error object
 * itself, or the message with {@code chunk:line: } in front, never a traceback.
 *
 * <p>LuaJ's own {@code getMessageObject()} returns the traceback it appends whenever the debug
 * library is loaded, and writes positions as {@code @chunk.lua:3 message}. Lives in LuaJ's package
 * to read the position and level LuaJ keeps on the error.
 */
public final class LuaErrorValue {

    private static final VarHandle OBJECT;

    static {
        try {
            OBJECT = MethodHandles.privateLookupIn(LuaError.class, MethodHandles.lookup())
                    .findVarHandle(LuaError.class, "object", LuaValue.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private LuaErrorValue() {}

    /** What {@code pcall} returns after {@code false} for this error. */
    public static LuaValue of(LuaError e) {
        LuaValue object = (LuaValue) OBJECT.get(e);
        if (object != null) return object;
        String traceback = e.traceback, fileline = e.fileline;
        String message;
        e.traceback = null;
        e.fileline = null;
        try {
            message = e.getMessage();
        } finally {
            e.traceback = traceback;
            e.fileline = fileline;
        }
        if (message == null) return LuaValue.NIL;
        if (fileline == null || e.level <= 0) return LuaValue.valueOf(message);
        return LuaValue.valueOf(position(fileline) + " " + message);
    }

    /**
     * An error that carries {@code value} on (as {@code coroutine.wrap} rethrows what its body raised)
     * and keeps the traceback recorded where {@code origin} was raised, for whoever reports it
     * uncaught ({@link LuaError#getMessage()}).
     */
    public static LuaError rethrow(LuaValue value, LuaError origin) {
        LuaError e = value.isstring() ? new LuaError(value.tojstring(), 0) : new LuaError(value);
        if (origin != null) e.traceback = origin.traceback;
        return e;
    }

    /** {@code source:line} as LuaJ records it, written as Lua does: {@code chunk:line:}. */
    static String position(String fileline) {
        int colon = fileline.lastIndexOf(':');
        if (colon < 0) return fileline + ":";
        return chunkId(fileline.substring(0, colon)) + fileline.substring(colon) + ":";
    }

    /** The short chunk name Lua uses in messages ({@code luaO_chunkid}). */
    public static String chunkId(String source) {
        final int max = 60 - 1;
        if (source.startsWith("=")) {
            String s = source.substring(1);
            return s.length() <= max ? s : s.substring(0, max);
        }
        if (source.startsWith("@")) {
            String s = source.substring(1);
            return s.length() <= max ? s : "..." + s.substring(s.length() - (max - 3));
        }
        int nl = source.indexOf('\n');
        String first = nl >= 0 ? source.substring(0, nl) : source;
        int room = max - "[string \"...\"]".length();
        if (nl < 0 && first.length() <= room) return "[string \"" + first + "\"]";
        if (first.length() > room) first = first.substring(0, room);
        return "[string \"" + first + "...\"]";
    }
}
