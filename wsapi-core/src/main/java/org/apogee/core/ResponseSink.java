package org.apogee.core;

import java.io.IOException;
import java.util.List;

/**
 * Where the core writes a response; each server adapter implements it over its native response.
 * Calls come in this order: {@link #start} once, then any number of {@link #write}/{@link #flush},
 * then {@link #finish} (or {@link #abort} when the response cannot be completed).
 */
public interface ResponseSink {

    /**
     * Sends the status line and headers.
     *
     * @param contentLength the body length when known before the headers go out, else -1
     *                      (the server then chunks on HTTP/1.1 or closes on HTTP/1.0)
     * @param headOnly      true for a HEAD request: no body follows
     */
    void start(int status, String reason, List<Header> headers, long contentLength, boolean headOnly) throws IOException;

    void write(byte[] bytes, int offset, int length) throws IOException;

    /** Pushes what was written so far to the client. */
    void flush() throws IOException;

    /** Ends the response normally. */
    void finish() throws IOException;

    /** Ends the response abnormally: the connection is closed so the client sees it incomplete. */
    void abort(Throwable cause);
}
