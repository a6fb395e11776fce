package org.apogee.lapps.jetty;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.apogee.lapps.Admission;
import org.apogee.lapps.Connection;
import org.apogee.lapps.LappsHost;
import org.apogee.lapps.WebSocketPeer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * Jetty 12 glue: a {@link WebSocketUpgradeHandler} in front of the next handler (the HTTP apps).
 * Messages are read on demand, so reading pauses when the host's queue for a connection is full.
 * Upgrade requests go to the {@link LappsHost}, which decides before the upgrade (404 unknown
 * target, 403 ACL or Origin); Jetty does the framing: ping/pong, reassembly, UTF-8 checks (1007)
 * and the message size limit (1009). Sessions have no idle timeout, as in the original server.
 */
public final class LappsJettyHandler {

    private LappsJettyHandler() {}

    /** A handler that upgrades WebSocket requests for {@code host} and passes every other request to {@code next}. */
    public static Handler wrap(Server server, LappsHost host, Handler next) {
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            container.setIdleTimeout(Duration.ZERO);
            container.addMapping("/*", (request, response, callback) -> create(host, request, response, callback));
        });
        ws.setHandler(next);
        return ws;
    }

    private static Object create(LappsHost host, ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        String target = request.getHttpURI().getPathQuery();
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        Admission admission = host.admit(target, remote instanceof InetSocketAddress a ? a.getAddress() : null,
                request.getHeaders().get(HttpHeader.ORIGIN), request.getSubProtocols());
        switch (admission) {
            case Admission.Refused r -> {
                Response.writeError(request, response, callback, r.status(), r.message());
                return null;
            }
            case Admission.Accepted a -> {
                if (a.subprotocol() != null) response.setAcceptedSubProtocol(a.subprotocol());
                for (Map.Entry<String, String> h : a.extraHeaders().entrySet()) response.getHeaders().put(h.getKey(), h.getValue());
                return new Endpoint(host, a);
            }
        }
    }

    /** One connection's events, whole messages only (public: Jetty calls it through method handles). */
    public static final class Endpoint implements Session.Listener, WebSocketPeer {
        private final LappsHost host;
        private final Admission.Accepted accepted;
        private volatile Session session;
        private volatile Connection connection;
        private boolean paused;
        private boolean demandOwed;

        Endpoint(LappsHost host, Admission.Accepted accepted) {
            this.host = host;
            this.accepted = accepted;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            long max = accepted.maxMessageSize();
            session.setMaxBinaryMessageSize(max);
            session.setMaxTextMessageSize(max);
            session.setMaxFrameSize(max);
            connection = host.open(accepted, this);
            session.demand();
        }

        @Override
        public void onWebSocketText(String message) {
            connection.received(true, message.getBytes(StandardCharsets.UTF_8));
            demandNext();
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            callback.succeed();
            connection.received(false, bytes);
            demandNext();
        }

        // no onWebSocketPing/Pong: Jetty then answers pings itself and reads on after control frames

        /** Asks for the next message unless reading is paused; then resumeReading() asks. */
        private synchronized void demandNext() {
            if (paused) demandOwed = true;
            else session.demand();
        }

        @Override
        public synchronized void pauseReading() {
            paused = true;
        }

        @Override
        public synchronized void resumeReading() {
            paused = false;
            if (demandOwed) {
                demandOwed = false;
                session.demand();
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, org.eclipse.jetty.websocket.api.Callback callback) {
            Connection c = connection;
            if (c != null) c.closed();
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            Connection c = connection;
            if (c != null && !session.isOpen()) c.closed();
        }

        @Override
        public void send(boolean text, byte[] data, Runnable done) {
            Session s = session;
            if (!s.isOpen()) {
                done.run();
                return;
            }
            org.eclipse.jetty.websocket.api.Callback callback = org.eclipse.jetty.websocket.api.Callback.from(done, error -> done.run());
            if (text) s.sendText(new String(data, StandardCharsets.UTF_8), callback);
            else s.sendBinary(ByteBuffer.wrap(data), callback);
        }

        @Override
        public void close(int code, String reason) {
            session.close(code, reason, org.eclipse.jetty.websocket.api.Callback.NOOP);
        }

        @Override
        public void abort() {
            session.disconnect();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return session.getRemoteSocketAddress() instanceof InetSocketAddress a ? a : null;
        }
    }
}
