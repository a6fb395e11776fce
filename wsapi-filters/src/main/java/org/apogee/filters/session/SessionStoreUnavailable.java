package org.apogee.filters.session;

import org.apogee.core.lua.HttpError;

/**
 * The session store cannot be reached (Redis down, timed out, refused). Raised into the Lua code
 * that used the session; before the headers went out the client gets a 503 page instead of a 500,
 * and requests that never touch the session are not affected.
 */
public final class SessionStoreUnavailable extends HttpError {

    public SessionStoreUnavailable(String message) {
        super(503, message);
    }
}
