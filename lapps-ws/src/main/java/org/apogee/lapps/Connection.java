package org.apogee.lapps;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaThread;

/**
 * One open server-side WebSocket, pinned for its whole life to one instance of one service. The glue
 * feeds it whole messages ({@link #received}) and tells it when the socket is gone ({@link #closed});
 * both only queue events for the instance, so one connection's messages are handled in order.
 *
 * <p>Its handler number (what Lua sees) is a positive integer below 2^31, never reused.
 */
public final class Connection {

    private static final System.Logger LOG = System.getLogger("apogee.lapps");
    private static final AtomicInteger NEXT_HANDLER = new AtomicInteger();
    /** How long a close handshake may take before the socket is dropped. */
    static final long CLOSE_TIMEOUT_MS = 5_000;
    /** Received bytes waiting for the instance above which reading from the client pauses, and below which it resumes. */
    static final long INBOUND_HIGH = 1 << 20, INBOUND_LOW = 256 << 10;
    /** Bytes waiting to be written to a client above which it is too slow and is dropped (one bigger message is fine). */
    static final long OUTBOUND_LIMIT = 16 << 20;

    final int handler;
    final ReactiveService service;
    final ReactiveInstance instance;
    final WebSocketPeer peer;
    final String subprotocol;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean closeSent = new AtomicBoolean();
    /** Set when the server closed the connection for an error: later messages are dropped. */
    volatile boolean failed;
    private final AtomicLong queuedIn = new AtomicLong();
    private final AtomicLong queuedOut = new AtomicLong();
    private boolean paused;

    // Coroutine-style handlers: touched only on the instance thread.
    LuaThread handlerThread;
    LuaTable wsObject;
    final ArrayDeque<ReactiveInstance.Message> inbox = new ArrayDeque<>();
    boolean waiting;
    boolean disconnected;

    Connection(ReactiveService service, ReactiveInstance instance, WebSocketPeer peer, String subprotocol) {
        int h = NEXT_HANDLER.incrementAndGet();
        if (h <= 0) throw new IllegalStateException("handler numbers exhausted");
        this.handler = h;
        this.service = service;
        this.instance = instance;
        this.peer = peer;
        this.subprotocol = subprotocol;
    }

    /** The number Lua code sees for this connection. */
    public int handler() {
        return handler;
    }

    /** The subprotocol agreed in the handshake, or null. */
    public String subprotocol() {
        return subprotocol;
    }

    /** A whole, reassembled TEXT or BINARY message arrived (text is valid UTF-8). */
    public void received(boolean text, byte[] data) {
        if (ended.get() || failed) return;
        long queued = queuedIn.addAndGet(data.length);
        instance.enqueue(new ReactiveInstance.Message(this, text, data));
        if (queued > INBOUND_HIGH) {
            synchronized (this) {
                if (!paused && queuedIn.get() > INBOUND_HIGH) {
                    paused = true;
                    peer.pauseReading();
                }
            }
        }
    }

    /** The instance is done with a received message: reading resumes once the backlog is small. */
    void consumed(ReactiveInstance.Message m) {
        long queued = queuedIn.addAndGet(-m.data().length);
        if (queued <= INBOUND_LOW) {
            synchronized (this) {
                if (paused && queuedIn.get() <= INBOUND_LOW) {
                    paused = false;
                    peer.resumeReading();
                }
            }
        }
    }

    /** The socket is gone (close handshake, error or TCP drop). Safe to call more than once. */
    public void closed() {
        if (ended.compareAndSet(false, true)) {
            service.host().unregister(this);
            instance.enqueue(new ReactiveInstance.Closed(this));
        }
    }

    boolean isOpen() {
        return !ended.get() && !closeSent.get();
    }

    InetSocketAddress remoteAddress() {
        return peer.remoteAddress();
    }

    /** Close codes Lua may ask for: 1000-1011 and 3000-4999 (as the original server accepts). */
    static boolean validCloseCode(int code) {
        return (code >= 1000 && code <= 1011) || (code >= 3000 && code <= 4999);
    }

    /**
     * Sends a close frame (once) and drops the socket if the client does not complete the
     * handshake in time. 1004-1006 may not go on the wire (RFC 6455) and are sent as 1000.
     */
    void close(int code, String reason) {
        if (!closeSent.compareAndSet(false, true)) return;
        if (code >= 1004 && code <= 1006) code = 1000;
        peer.close(code, fitReason(reason));
        service.host().timer().schedule(() -> {
            if (!ended.get()) peer.abort();
        }, CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** A close reason cut to the 123 bytes a close frame has room for, at a character boundary. */
    static String fitReason(String reason) {
        if (reason == null) return "";
        byte[] b = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (b.length <= 123) return reason;
        int n = 123;
        while (n > 0 && (b[n] & 0xc0) == 0x80) n--;
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Closes for a server-side error: later messages of this connection are not delivered. */
    void fail(int code, String reason) {
        failed = true;
        close(code, reason);
    }

    /**
     * Queues a message for the client unless the connection is closing or gone. A client that
     * lets more than {@link #OUTBOUND_LIMIT} bytes pile up is dropped.
     */
    boolean send(boolean text, byte[] data) {
        if (!isOpen()) return false;
        int n = data.length;
        long queued = queuedOut.addAndGet(n);
        if (queued > OUTBOUND_LIMIT && queued != n) {
            queuedOut.addAndGet(-n);
            LOG.log(System.Logger.Level.WARNING, "[" + service.name() + "] connection " + handler + " reads too slowly ("
                    + (queued - n) + " bytes waiting); dropping it");
            failed = true;
            closeSent.set(true);
            peer.abort();
            return false;
        }
        peer.send(text, data, () -> queuedOut.addAndGet(-n));
        return true;
    }

    @Override
    public String toString() {
        return service.name() + "#" + handler;
    }
}
