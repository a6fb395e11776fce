package org.apogee.server.undertow;

import java.net.URI;

import org.apogee.core.WsapiHost;
import org.apogee.server.tck.ServerUnderTest;
import org.apogee.server.tck.WsapiBehaviourSuite;

/** The behaviour suite on the standalone Undertow server. */
class UndertowBehaviourTest extends WsapiBehaviourSuite {

    @Override
    protected ServerUnderTest server() {
        return config -> {
            UndertowServer server = UndertowServer.start(new WsapiHost(config), "127.0.0.1", 0);
            return new ServerUnderTest.Running() {
                @Override public URI base() { return URI.create("http://127.0.0.1:" + server.port() + "/"); }
                @Override public int port() { return server.port(); }
                @Override public void close() { server.close(); }
            };
        };
    }
}
