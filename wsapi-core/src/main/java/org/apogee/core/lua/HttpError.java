package org.apogee.core.lua;

import org.luaj.vm2.LuaError;

/**
 * A Lua error that stands for an HTTP answer: raised before the headers went out, the client gets
 * {@link #status()} and {@link #reason()} instead of a 500 (a malformed upload is the client's fault).
 */
public class HttpError extends LuaError {
    private final int status;
    private final String reason;

    public HttpError(int status, String reason) {
        super(reason);
        this.status = status;
        this.reason = reason;
    }

    public int status() {
        return status;
    }

    /** The message as given, without the position Lua adds. */
    public String reason() {
        return reason;
    }
}
