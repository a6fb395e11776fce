package org.apogee.server.cgi;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apogee.core.Header;
import org.apogee.core.ResponseSink;

/**
 * Writes a core response as a CGI response (RFC 3875 section 6): a {@code Status:} line, the
 * headers, a blank line, then the body, flushed chunk by chunk. The web server frames it for the
 * client (chunked when no Content-Length was given).
 */
final class CgiSink implements ResponseSink {

    private final OutputStream out;
    private boolean completed;

    CgiSink(OutputStream out) {
        this.out = out;
    }

    @Override
    public void start(int status, String reason, List<Header> headers, long contentLength, boolean headOnly) throws IOException {
        StringBuilder head = new StringBuilder(256).append("Status: ").append(status);
        if (reason != null && !reason.isEmpty()) head.append(' ').append(reason);
        head.append("\r\n");
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("Content-Length")) continue;
            head.append(h.name()).append(": ").append(h.value()).append("\r\n");
        }
        if (contentLength >= 0) head.append("Content-Length: ").append(contentLength).append("\r\n");
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
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
        out.flush();
        completed = true;
    }

    /** The web server sees the output end early (a short body against its Content-Length). */
    @Override
    public void abort(Throwable cause) {
        try {
            out.flush();
        } catch (IOException e) {
            // the web server is gone
        }
    }

    boolean completed() {
        return completed;
    }
}
