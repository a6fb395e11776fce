package org.apogee.filters.session;

import org.apogee.core.lua.HttpError;

/**
 * The session store cannot be reached (Redis down, timed out, refused). Raised into the Lua code
 * that used the session; before the headers went out the client gets a 503 page instead of a 500,
 * and requests that never touch the session are not affected.
 */
public final class SessionStoreUnavailable extends HttpError {

    /** What the client and the app see; the log has the details (which store, what failed). */
    public static final String MESSAGE = "The session store is unavailable; try again shortly.";

    public SessionStoreUnavailable() {
        super(503, MESSAGE);
    }
}
