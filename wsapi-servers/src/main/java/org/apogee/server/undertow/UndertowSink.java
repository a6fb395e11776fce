package org.apogee.server.undertow;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import org.apogee.core.Header;
import org.apogee.core.ResponseSink;
import org.xnio.IoUtils;
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSinkChannel;

/**
 * Writes a core response to an Undertow exchange. Called on the request's virtual thread: the
 * headers and each chunk go out with blocking writes on the response channel, so a chunk is on the
 * wire when {@link #flush()} returns.
 *
 * <p>{@link #finish()} hands the end of the exchange (the last chunk of a chunked body, then the
 * switch to the connection's next request) to the connection's I/O thread. Ending it on the virtual
 * thread made the I/O thread, woken by the client's next request, spin against the virtual thread
 * in Undertow's request-state handshake. A body with a declared length ends the exchange when its
 * last byte is flushed, so that last flush is left to the I/O thread too: the blocking write has
 * already handed the bytes to the connection, and what the socket could not take at once goes out
 * when the exchange ends, right after the app's iterator has finished.
 */
final class UndertowSink implements ResponseSink {

    private final HttpServerExchange exchange;
    private final UndertowAdapter.RequestBody body;
    private StreamSinkChannel channel;
    private boolean headWithoutLength;
    private long remaining = -1;   // body bytes still due when the length was declared, else -1

    UndertowSink(HttpServerExchange exchange, UndertowAdapter.RequestBody body) {
        this.exchange = exchange;
        this.body = body;
    }

    @Override
    public void start(int status, String reason, List<Header> headers, long contentLength, boolean headOnly) {
        exchange.setStatusCode(status);
        if (reason != null && !reason.isEmpty()) exchange.setReasonPhrase(reason);
        HeaderMap map = exchange.getResponseHeaders();
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("Content-Length")) continue;
            map.add(HttpString.tryFromString(h.name()), h.value());
        }
        if (contentLength >= 0) {
            remaining = contentLength;
            exchange.setResponseContentLength(contentLength);
        } else {
            headWithoutLength = headOnly;
        }
    }

    private StreamSinkChannel channel() {
        if (channel == null) channel = exchange.getResponseChannel();
        return channel;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Channels.writeBlocking(channel(), ByteBuffer.wrap(bytes, offset, length));
        if (remaining > 0) remaining -= length;
    }

    @Override
    public void flush() throws IOException {
        if (channel != null && remaining != 0) Channels.flushBlocking(channel);
    }

    @Override
    public void finish() throws IOException {
        body.finish();
        // committing the headers first keeps Undertow from announcing a wrong "Content-Length: 0"
        if (headWithoutLength) Channels.flushBlocking(channel());
        // Runs on the I/O thread once the handler has returned; it completes without blocking.
        exchange.dispatch(exchange.getIoThread(), exchange::endExchange);
    }

    @Override
    public void abort(Throwable cause) {
        IoUtils.safeClose(exchange.getConnection());
    }
}
