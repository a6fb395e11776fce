package org.apogee.server.jetty;

import java.net.URI;

import org.apogee.core.WsapiHost;
import org.apogee.server.tck.ServerUnderTest;
import org.apogee.server.tck.WsapiBehaviourSuite;

/** The behaviour suite on embedded Jetty (the servlet adapter at /*). */
class JettyBehaviourTest extends WsapiBehaviourSuite {

    @Override
    protected boolean sendsReasonPhrase() {
        return false;
    }

    @Override
    protected ServerUnderTest server() {
        return config -> {
            JettyServer server = JettyServer.start(new WsapiHost(config), "127.0.0.1", 0);
            return new ServerUnderTest.Running() {
                @Override public URI base() { return URI.create("http://127.0.0.1:" + server.port() + "/"); }
                @Override public int port() { return server.port(); }
                @Override public void close() { server.close(); }
            };
        };
    }
}
