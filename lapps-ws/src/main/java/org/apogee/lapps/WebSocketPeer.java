package org.apogee.lapps;

import java.net.InetSocketAddress;

/**
 * The server side of one open WebSocket, as a server's glue offers it to the service host. All
 * methods may be called from any thread.
 */
public interface WebSocketPeer {

    /**
     * Queues one whole message. Messages go out in the order of the calls, each as one frame.
     * Returns at once; a message for a connection that has gone is dropped. {@code done} runs
     * once the message has been written or dropped (on any thread).
     */
    void send(boolean text, byte[] data, Runnable done);

    /** Stops reading messages from the client until {@link #resumeReading()} (the host's queue is full). */
    void pauseReading();

    void resumeReading();

    /**
     * Sends a close frame with this code and reason (the first call only). The glue reports the
     * end of the connection later through {@link Connection#closed()}.
     */
    void close(int code, String reason);

    /** Drops the connection at once, without a close handshake. */
    void abort();

    /** The client's address, or null if unknown. */
    InetSocketAddress remoteAddress();
}
