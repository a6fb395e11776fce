package org.apogee.lapps.undertow;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import org.apogee.lapps.Admission;
import org.apogee.lapps.Connection;
import org.apogee.lapps.LappsHost;
import org.apogee.lapps.WebSocketPeer;
import org.xnio.IoUtils;
import org.xnio.Pooled;

/**
 * Undertow glue: WebSocket upgrade requests go to the {@link LappsHost}, everything else to the next
 * handler (the HTTP apps). The host decides before the upgrade (404 unknown target, 403 ACL or
 * Origin); Undertow does the framing: ping/pong, reassembly of fragments, UTF-8 checks (1007) and
 * the message size limit (1009).
 */
public final class LappsUndertowHandler implements HttpHandler {

    private static final HttpString UPGRADE = Headers.UPGRADE;

    private final LappsHost host;
    private final HttpHandler next;

    public LappsUndertowHandler(LappsHost host, HttpHandler next) {
        this.host = host;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String upgrade = exchange.getRequestHeaders().getFirst(UPGRADE);
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket") || !exchange.getRequestMethod().equalToString("GET")) {
            next.handleRequest(exchange);
            return;
        }
        String query = exchange.getQueryString();
        String target = exchange.getRequestURI() + (query == null || query.isEmpty() ? "" : "?" + query);
        InetSocketAddress source = exchange.getSourceAddress();
        Admission admission = host.admit(target, source == null ? null : source.getAddress(),
                exchange.getRequestHeaders().getFirst(Headers.ORIGIN), offered(exchange));
        switch (admission) {
            case Admission.Refused r -> {
                exchange.setStatusCode(r.status());
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=UTF-8");
                exchange.getResponseSender().send(r.message() + "\n");
            }
            case Admission.Accepted a -> {
                for (Map.Entry<String, String> h : a.extraHeaders().entrySet()) {
                    exchange.getResponseHeaders().put(HttpString.tryFromString(h.getKey()), h.getValue());
                }
                Set<String> protocols = a.subprotocol() == null ? Set.of() : Set.of(a.subprotocol());
                WebSocketConnectionCallback open = (ex, channel) -> connect(a, channel);
                new WebSocketProtocolHandshakeHandler(List.of(new Hybi13Handshake(protocols, false)), open, next)
                        .handleRequest(exchange);
            }
        }
    }

    private static List<String> offered(HttpServerExchange exchange) {
        List<String> out = new ArrayList<>();
        HeaderValues values = exchange.getRequestHeaders().get(Headers.SEC_WEB_SOCKET_PROTOCOL);
        if (values == null) return out;
        for (String header : values) {
            for (String p : header.split(",")) {
                String t = p.trim();
                if (!t.isEmpty()) out.add(t);
            }
        }
        return out;
    }

    private void connect(Admission.Accepted accepted, WebSocketChannel channel) {
        Connection c = host.open(accepted, new Peer(channel));
        channel.addCloseTask(ch -> c.closed());
        channel.getReceiveSetter().set(new Receiver(c, accepted.maxMessageSize()));
        channel.resumeReceives();
    }

    /** Whole messages in, within the size limit; control frames are Undertow's. */
    private static final class Receiver extends AbstractReceiveListener {
        private final Connection connection;
        private final long max;

        Receiver(Connection connection, long max) {
            this.connection = connection;
            this.max = max;
        }

        @Override protected long getMaxTextBufferSize() { return max; }

        @Override protected long getMaxBinaryBufferSize() { return max; }

        @Override
        protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
            connection.received(true, message.getData().getBytes(StandardCharsets.UTF_8));
        }

        @Override
        @SuppressWarnings("deprecation") // Undertow's BufferedBinaryMessage still hands out XNIO's Pooled
        protected void onFullBinaryMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
            try (Pooled<ByteBuffer[]> data = message.getData()) {
                ByteBuffer[] buffers = data.getResource();
                int size = 0;
                for (ByteBuffer b : buffers) size += b.remaining();
                byte[] bytes = new byte[size];
                int at = 0;
                for (ByteBuffer b : buffers) {
                    int n = b.remaining();
                    b.get(bytes, at, n);
                    at += n;
                }
                connection.received(false, bytes);
            }
        }

        @Override
        protected void onError(WebSocketChannel channel, Throwable error) {
            // a close frame (1009, 1007, 1002) may be on its way: let it go out before the socket closes
            if (channel.isCloseFrameSent()) {
                channel.getIoThread().executeAfter(() -> IoUtils.safeClose(channel), 1000, java.util.concurrent.TimeUnit.MILLISECONDS);
            } else {
                IoUtils.safeClose(channel);
            }
        }
    }

    private static final class Peer implements WebSocketPeer {
        private final WebSocketChannel channel;

        Peer(WebSocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void send(boolean text, byte[] data, Runnable done) {
            if (!channel.isOpen() || channel.isCloseFrameSent()) {
                done.run();
                return;
            }
            WebSocketCallback<Void> callback = new WebSocketCallback<>() {
                @Override public void complete(WebSocketChannel ch, Void context) { done.run(); }
                @Override public void onError(WebSocketChannel ch, Void context, Throwable error) { done.run(); }
            };
            if (text) WebSockets.sendText(ByteBuffer.wrap(data), channel, callback);
            else WebSockets.sendBinary(ByteBuffer.wrap(data), channel, callback);
        }

        @Override
        public void pauseReading() {
            channel.getIoThread().execute(channel::suspendReceives);
        }

        @Override
        public void resumeReading() {
            channel.getIoThread().execute(() -> {
                if (channel.isOpen()) channel.resumeReceives();
            });
        }

        @Override
        public void close(int code, String reason) {
            if (channel.isOpen() && !channel.isCloseFrameSent()) WebSockets.sendClose(code, reason, channel, null);
        }

        @Override
        public void abort() {
            IoUtils.safeClose(channel);
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return channel.getSourceAddress();
        }
    }
}
