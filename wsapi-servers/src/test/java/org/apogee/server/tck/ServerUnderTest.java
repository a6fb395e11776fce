package org.apogee.server.tck;

import java.net.URI;

import org.apogee.core.HostConfig;

/** One server adapter, as the behaviour suite sees it. */
public interface ServerUnderTest {

    /** A started server; closing it stops it. */
    interface Running extends AutoCloseable {
        /** Where the target is served, ending with "/", e.g. http://127.0.0.1:PORT/ or .../context/ */
        URI base();

        int port();

        @Override
        void close();
    }

    Running start(HostConfig config) throws Exception;
}
