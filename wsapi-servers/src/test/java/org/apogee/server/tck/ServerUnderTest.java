package org.apogee.server.tck;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;

import org.apogee.core.HostConfig;

/** One server adapter, as the behaviour suite sees it. */
public interface ServerUnderTest {

    /** A started server; closing it stops it. */
    interface Running extends AutoCloseable {
        /** Where the target is served, ending with "/", e.g. http://127.0.0.1:PORT/ or .../context/ */
        URI base();

        int port();

        /** A connection for raw requests: a plain socket to {@link #port()}; a TLS fixture returns a TLS socket. */
        default Socket connect() throws IOException {
            return new Socket("127.0.0.1", port());
        }

        @Override
        void close();
    }

    Running start(HostConfig config) throws Exception;
}
