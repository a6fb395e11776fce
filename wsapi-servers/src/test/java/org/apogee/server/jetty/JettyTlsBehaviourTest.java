package org.apogee.server.jetty;

import org.apogee.core.WsapiHost;
import org.apogee.server.HttpsOptions;
import org.apogee.server.RunningServer;
import org.apogee.server.tck.WsapiTlsBehaviourSuite;

/** The behaviour suite and the TLS cases on embedded Jetty over HTTPS. */
class JettyTlsBehaviourTest extends WsapiTlsBehaviourSuite {

    @Override
    protected boolean sendsReasonPhrase() {
        return false;
    }

    @Override
    protected RunningServer start(WsapiHost host, HttpsOptions https) throws Exception {
        return JettyServer.start(host, "127.0.0.1", 0, https);
    }
}
