package org.apogee.server.fastcgi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apogee.core.Header;
import org.apogee.core.ResponseSink;
import org.eclipse.jetty.fcgi.generator.ServerGenerator;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.util.BufferUtil;

/**
 * Writes a core response as FastCGI STDOUT records (a CGI response: {@code Status:} line, headers,
 * body) and ends it with END_REQUEST; Jetty's {@link ServerGenerator} makes the records. The
 * headers wait for the first chunk so both leave in one write; every flush reaches the front end.
 */
@SuppressWarnings("removal") // ServerGenerator's API (Jetty 12.1) takes a ByteBufferPool.Accumulator
final class FastCgiSink implements ResponseSink {

    private static final ServerGenerator GENERATOR = new ServerGenerator(ByteBufferPool.NON_POOLING, false, true);

    private final FastCgiConnection connection;
    private final int id;
    private ByteBufferPool.Accumulator pending = new ByteBufferPool.Accumulator();
    private boolean completed;

    FastCgiSink(FastCgiConnection connection, int id) {
        this.connection = connection;
        this.id = id;
    }

    @Override
    public void start(int status, String reason, List<Header> headers, long contentLength, boolean headOnly) {
        HttpFields.Mutable fields = HttpFields.build(headers.size() + 1);
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("Content-Length")) continue;
            fields.add(h.name(), utf8(h.value()));
        }
        if (contentLength >= 0) fields.add("Content-Length", Long.toString(contentLength));
        GENERATOR.generateResponseHeaders(pending, id, status, reason == null || reason.isEmpty() ? null : reason, fields);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        GENERATOR.generateResponseContent(pending, id, ByteBuffer.wrap(bytes, offset, length), false, false);
        // the caller may reuse its array: the slices go out before this returns
        send();
    }

    @Override
    public void flush() throws IOException {
        send();
    }

    @Override
    public void finish() throws IOException {
        GENERATOR.generateResponseContent(pending, id, BufferUtil.EMPTY_BUFFER, true, false);
        send();
        completed = true;
    }

    @Override
    public void abort(Throwable cause) {
        connection.close();
    }

    boolean completed() {
        return completed;
    }

    private void send() throws IOException {
        if (pending.getSize() == 0) return;
        ByteBufferPool.Accumulator out = pending;
        pending = new ByteBufferPool.Accumulator();
        try {
            connection.write(out.getByteBuffers());
        } finally {
            out.release();
        }
    }

    /** Header values are bytes, one char each; the generator encodes chars as UTF-8. */
    private static String utf8(String latin1) {
        for (int i = 0; i < latin1.length(); i++) {
            if (latin1.charAt(i) >= 0x80) {
                return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            }
        }
        return latin1;
    }
}
