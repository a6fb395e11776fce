package org.apogee.core.lua;

/**
 * Raised by {@code os.exit}: ends the running script or request, never the JVM. An {@link Error}
 * so that {@code pcall} does not catch it, as it cannot catch a real exit.
 */
public final class LuaExit extends Error {
    private final int status;

    public LuaExit(int status) {
        super("os.exit(" + status + ")", null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
