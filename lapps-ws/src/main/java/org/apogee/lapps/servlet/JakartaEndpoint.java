package org.apogee.lapps.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import org.apogee.lapps.Connection;
import org.apogee.lapps.WebSocketPeer;

/**
 * One connection in a servlet container. The container does the framing and the UTF-8 check
 * (1007); messages arrive in parts, which are joined here up to the service's size limit (1009
 * beyond it; containers would otherwise keep a buffer of the full limit per connection). Sends are
 * queued so only one is in progress at a time, as the Jakarta API requires. The API has no way to
 * pause reading, so flow control stops at the container's buffers.
 */
public final class JakartaEndpoint extends Endpoint implements WebSocketPeer {

    private record Outgoing(boolean text, byte[] data, Runnable done) {}

    private final LappsWebApp app;
    private volatile Session session;
    private volatile Connection connection;
    private volatile InetSocketAddress remote;
    private final ArrayDeque<Outgoing> outgoing = new ArrayDeque<>();
    private boolean sending;

    JakartaEndpoint(LappsWebApp app) {
        this.app = app;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        this.session = session;
        AdmissionFilter.Accepted a = (AdmissionFilter.Accepted) config.getUserProperties().get(LappsConfigurator.ADMISSION);
        if (a == null || app.host() == null) {
            closeQuietly(CloseReason.CloseCodes.TRY_AGAIN_LATER, "not admitted");
            return;
        }
        remote = a.remote();
        long max = a.admission().maxMessageSize();
        session.setMaxIdleTimeout(0);
        session.addMessageHandler(String.class, (MessageHandler.Partial<String>) (part, last) ->
                part(true, part.getBytes(StandardCharsets.UTF_8), last, max));
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (part, last) -> {
            byte[] bytes = new byte[part.remaining()];
            part.get(bytes);
            part(false, bytes, last, max);
        });
        connection = app.host().open(a.admission(), this);
    }

    private final ByteArrayOutputStream message = new ByteArrayOutputStream();
    private boolean tooBig;

    /** Parts come one at a time on the container's thread for this session. */
    private void part(boolean text, byte[] bytes, boolean last, long max) {
        if (tooBig) return;
        if (message.size() + (long) bytes.length > max) {
            tooBig = true;
            message.reset();
            closeQuietly(CloseReason.CloseCodes.TOO_BIG, "message over " + max + " bytes");
            return;
        }
        if (last && message.size() == 0) {
            connection.received(text, bytes);
            return;
        }
        message.writeBytes(bytes);
        if (last) {
            connection.received(text, message.toByteArray());
            message.reset();
        }
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
        Connection c = connection;
        if (c != null) c.closed();
    }

    @Override
    public void onError(Session session, Throwable error) {
        Connection c = connection;
        if (c != null && !session.isOpen()) c.closed();
    }

    @Override
    public void send(boolean text, byte[] data, Runnable done) {
        synchronized (outgoing) {
            outgoing.add(new Outgoing(text, data, done));
            if (sending) return;
            sending = true;
        }
        sendNext();
    }

    private void sendNext() {
        Outgoing o;
        synchronized (outgoing) {
            o = outgoing.poll();
            if (o == null) {
                sending = false;
                return;
            }
        }
        if (!session.isOpen()) {
            o.done().run();
            sendNext();
            return;
        }
        jakarta.websocket.SendHandler after = (SendResult result) -> {
            o.done().run();
            sendNext();
        };
        try {
            if (o.text()) session.getAsyncRemote().sendText(new String(o.data(), StandardCharsets.UTF_8), after);
            else session.getAsyncRemote().sendBinary(ByteBuffer.wrap(o.data()), after);
        } catch (RuntimeException e) {
            o.done().run();
            synchronized (outgoing) {
                sending = false;
            }
        }
    }

    @Override
    public void close(int code, String reason) {
        closeQuietly(CloseReason.CloseCodes.getCloseCode(code), reason);
    }

    private void closeQuietly(CloseReason.CloseCode code, String reason) {
        Session s = session;
        // Session.close may block on a full socket: never on the caller's (Lua) thread
        Thread.ofVirtual().name("lapps-close").start(() -> {
            try {
                s.close(new CloseReason(code, reason));
            } catch (IOException | RuntimeException ignored) {
                // already gone
            }
        });
    }

    @Override
    public void abort() {
        closeQuietly(CloseReason.CloseCodes.VIOLATED_POLICY, "too slow");
    }

    @Override
    public void pauseReading() {
        // not in the Jakarta API
    }

    @Override
    public void resumeReading() {
        // not in the Jakarta API
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }
}
