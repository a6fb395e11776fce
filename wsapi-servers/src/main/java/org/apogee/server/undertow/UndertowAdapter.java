package org.apogee.server.undertow;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

import io.undertow.server.HttpHandler;
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
        exchange.startBlocking();
        host.handle(request(exchange), new UndertowSink(exchange));
    }

    private WsapiRequest request(HttpServerExchange exchange) {
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
                exchange.getInputStream(),
                mountPath);
    }
}
