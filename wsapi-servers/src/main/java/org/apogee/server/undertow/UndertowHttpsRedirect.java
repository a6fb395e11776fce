package org.apogee.server.undertow;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.apogee.server.tls.HttpsRedirect;

/** The plain HTTP listener's handler when it only sends clients to HTTPS. */
final class UndertowHttpsRedirect implements HttpHandler {

    private final IntSupplier tlsPort;

    UndertowHttpsRedirect(IntSupplier tlsPort) {
        this.tlsPort = tlsPort;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        String target = exchange.getRequestPath() + (query == null || query.isEmpty() ? "" : "?" + query);
        String host = exchange.getRequestHeaders().getFirst(Headers.HOST) == null ? null : exchange.getHostName();
        String local = exchange.getDestinationAddress().getAddress().getHostAddress();
        String location = HttpsRedirect.location(host, local, tlsPort.getAsInt(), target);
        byte[] body = ("Moved to " + location + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.setStatusCode(HttpsRedirect.status(exchange.getRequestMethod().toString()));
        exchange.getResponseHeaders().put(Headers.LOCATION, location);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.setResponseContentLength(body.length);
        exchange.getResponseSender().send(ByteBuffer.wrap(body));
    }
}
