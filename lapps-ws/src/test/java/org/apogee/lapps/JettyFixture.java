package org.apogee.lapps;

import org.apogee.lapps.jetty.LappsJettyHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

final class JettyFixture implements ServerFixture {

    private Server server;

    @Override
    public int start(LappsHost host) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        Handler notFound = new Handler.Abstract() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, Response response, org.eclipse.jetty.util.Callback callback) {
                Response.writeError(request, response, callback, 404);
                return true;
            }
        };
        server.setHandler(LappsJettyHandler.wrap(server, host, notFound));
        server.start();
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        if (server != null) server.stop();
    }
}
