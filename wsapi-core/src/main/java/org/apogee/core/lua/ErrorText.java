package org.apogee.core.lua;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaErrorValue;
import org.luaj.vm2.LuaValue;

/** How an uncaught Lua failure is reported to people (logs, debug pages, the command line). */
public final class ErrorText {
    private ErrorText() {}

    /** {@code "file.lua:LINE: message"} and, for Lua errors, the traceback of where it was raised. */
    public static String of(Throwable e) {
        if (e instanceof LuaExit x) return "os.exit(" + x.status() + ") was called";
        if (e instanceof StackOverflowError) return "stack overflow";
        if (!(e instanceof LuaError le)) return String.valueOf(e);
        LuaValue value = LuaErrorValue.of(le);
        String m = value.isstring() ? value.tojstring()
                : "(error object is a " + value.typename() + " value: " + value.tojstring() + ")";
        // LuaJ appends the traceback it recorded where the error was raised to the full message
        String full = le.getMessage();
        int tb = full == null ? -1 : full.indexOf("\nstack traceback:");
        return tb < 0 ? m : m + full.substring(tb);
    }
}
