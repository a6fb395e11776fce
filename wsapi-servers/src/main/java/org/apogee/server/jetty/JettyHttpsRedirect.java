package org.apogee.server.jetty;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

import org.apogee.server.tls.HttpsRedirect;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Sends requests that arrive over plain HTTP to HTTPS; requests over TLS go on to the app. */
final class JettyHttpsRedirect extends Handler.Wrapper {

    private final IntSupplier tlsPort;

    JettyHttpsRedirect(Handler next, IntSupplier tlsPort) {
        super(next);
        this.tlsPort = tlsPort;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (request.isSecure()) return super.handle(request, response, callback);
        String host = request.getHeaders().get(HttpHeader.HOST) == null ? null : Request.getServerName(request);
        String location = HttpsRedirect.location(host, Request.getLocalAddr(request), tlsPort.getAsInt(),
                request.getHttpURI().getPathQuery());
        byte[] body = ("Moved to " + location + "\n").getBytes(StandardCharsets.UTF_8);
        response.setStatus(HttpsRedirect.status(request.getMethod()));
        response.getHeaders().put(HttpHeader.LOCATION, location);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
