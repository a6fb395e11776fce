package org.apogee.server.servlet;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletResponse;
import org.apogee.core.Header;
import org.apogee.core.ResponseSink;

/** Writes a core response to a servlet response; completes the async context at the end. */
final class ServletSink implements ResponseSink {

    private final HttpServletResponse response;
    private final AsyncContext async;
    private OutputStream out;

    ServletSink(HttpServletResponse response, AsyncContext async) {
        this.response = response;
        this.async = async;
    }

    @Override
    public void start(int status, String reason, List<Header> headers, long contentLength, boolean headOnly) throws IOException {
        response.setStatus(status); // the servlet API has no way to send the app's reason phrase
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("Content-Length")) continue;
            response.addHeader(h.name(), h.value());
        }
        if (contentLength >= 0) response.setContentLengthLong(contentLength);
        out = response.getOutputStream();
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void finish() throws IOException {
        try {
            if (out != null) out.close();
        } finally {
            async.complete();
        }
    }

    @Override
    public void abort(Throwable cause) {
        // The servlet API cannot close a connection; an unfinished Content-Length makes the container do it.
        async.complete();
    }
}
