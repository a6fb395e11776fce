package org.apogee.server.undertow;

import org.apogee.core.WsapiHost;
import org.apogee.server.HttpsOptions;
import org.apogee.server.RunningServer;
import org.apogee.server.tck.WsapiTlsBehaviourSuite;

/** The behaviour suite and the TLS cases on the standalone Undertow server over HTTPS. */
class UndertowTlsBehaviourTest extends WsapiTlsBehaviourSuite {

    @Override
    protected RunningServer start(WsapiHost host, HttpsOptions https) {
        return UndertowServer.start(host, "127.0.0.1", 0, https);
    }
}
