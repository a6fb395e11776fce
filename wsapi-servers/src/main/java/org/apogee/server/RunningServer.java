package org.apogee.server;

import java.time.Duration;

/** A started server, whatever the library behind it. */
public interface RunningServer extends AutoCloseable {

    /**
     * The port it listens on (the real one when started with port 0): its plain HTTP port, or its
     * TLS port when it has no plain listener.
     */
    int port();

    /** The TLS (HTTPS) port, or -1 when the server does not speak TLS. */
    default int tlsPort() {
        return -1;
    }

    /** Stops accepting requests, lets running ones finish within {@code grace}, then stops. */
    void stop(Duration grace);

    @Override
    default void close() {
        stop(Duration.ofSeconds(5));
    }
}
