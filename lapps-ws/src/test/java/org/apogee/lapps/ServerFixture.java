package org.apogee.lapps;

/** Starts a server with the LAppS glue of one server library in front of a host. */
interface ServerFixture {

    /** Starts on a free loopback port and returns the port. */
    int start(LappsHost host) throws Exception;

    void close() throws Exception;
}
