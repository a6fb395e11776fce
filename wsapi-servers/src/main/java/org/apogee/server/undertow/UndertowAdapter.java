package org.apogee.server.undertow;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

import io.undertow.server.HttpHandler;
import io.undertow.io.UndertowInputStream;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import org.apogee.core.Header;
import org.apogee.core.WsapiHost;
import org.apogee.core.WsapiRequest;

/**
 * An Undertow {@link HttpHandler} that serves a {@link WsapiHost}. It only translates: the
 * exchange becomes a {@link WsapiRequest}, the response goes through an {@link UndertowSink}.
 * Each request leaves the I/O thread for a virtual thread, where Lua may block cheaply.
 *
 * <p>The server must not decode URLs ({@code UndertowOptions.DECODE_URL=false}): the core decodes
 * the path itself, byte for byte.
 */
public final class UndertowAdapter implements HttpHandler {

    private static final ThreadFactory VIRTUAL = Thread.ofVirtual().name("apogee-request").factory();
    private static final Executor EXECUTOR = task -> VIRTUAL.newThread(task).start();

    private final WsapiHost host;
    private final String mountPath;

    public UndertowAdapter(WsapiHost host) {
        this(host, "");
    }

    /** @param mountPath the prefix this handler is mounted under (e.g. by a PathHandler), or "" */
    public UndertowAdapter(WsapiHost host, String mountPath) {
        this.host = host;
        this.mountPath = mountPath;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(EXECUTOR, this);
            return;
        }
        RequestBody body = new RequestBody(exchange);
        host.handle(request(exchange, body), new UndertowSink(exchange, body));
    }

    private WsapiRequest request(HttpServerExchange exchange, RequestBody body) {
        List<Header> headers = new ArrayList<>(exchange.getRequestHeaders().size());
        for (HeaderValues values : exchange.getRequestHeaders()) {
            String name = values.getHeaderName().toString();
            for (String v : values) headers.add(new Header(name, v));
        }
        InetSocketAddress source = exchange.getSourceAddress();
        String path = exchange.getRelativePath();
        return new WsapiRequest(
                exchange.getRequestMethod().toString(),
                exchange.getRequestScheme(),
                exchange.getHostName(),
                exchange.getHostPort(),
                path.isEmpty() ? "/" : path,
                exchange.getQueryString(),
                exchange.getProtocol().toString(),
                source == null ? "" : source.getAddress().getHostAddress(),
                source == null ? 0 : source.getPort(),
                headers,
                body,
                mountPath);
    }

    /**
     * The request body as a blocking stream, opened on first use: most requests never read one.
     * A body that is not read is drained by Undertow when the exchange ends.
     */
    static final class RequestBody extends InputStream {
        private final HttpServerExchange exchange;
        private UndertowInputStream in;

        RequestBody(HttpServerExchange exchange) {
            this.exchange = exchange;
        }

        private UndertowInputStream in() {
            if (in == null) in = new UndertowInputStream(exchange);
            return in;
        }

        @Override public int read() throws IOException { return in().read(); }
        @Override public int read(byte[] b, int off, int len) throws IOException { return in().read(b, off, len); }
        @Override public int available() throws IOException { return in == null ? 0 : Math.max(0, in.available()); }
        @Override public void close() throws IOException { if (in != null) in.close(); }

        /** Reads what is left of a body the app started on (blocking, as the stream does), and closes it. */
        void finish() throws IOException {
            close();
        }
    }
}
