package org.apogee.server.undertow;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import org.apogee.core.Header;
import org.apogee.core.ResponseSink;
import org.xnio.IoUtils;

/** Writes a core response to an Undertow exchange in blocking mode. */
final class UndertowSink implements ResponseSink {

    private final HttpServerExchange exchange;
    private OutputStream out;
    private boolean headWithoutLength;

    UndertowSink(HttpServerExchange exchange) {
        this.exchange = exchange;
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
            exchange.setResponseContentLength(contentLength);
        } else {
            headWithoutLength = headOnly;
        }
        out = exchange.getOutputStream();
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
            // committing the headers first keeps Undertow from announcing a wrong "Content-Length: 0"
            if (headWithoutLength) out.flush();
            if (out != null) out.close();
        } finally {
            exchange.endExchange();
        }
    }

    @Override
    public void abort(Throwable cause) {
        IoUtils.safeClose(exchange.getConnection());
    }
}
