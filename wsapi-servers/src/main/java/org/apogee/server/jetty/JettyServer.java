package org.apogee.server.jetty;

import java.time.Duration;

import org.apogee.core.WsapiHost;
import org.apogee.server.RunningServer;
import org.apogee.server.servlet.WsapiServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Embedded Jetty 12 serving one {@link WsapiHost} through the same {@link WsapiServlet} a WAR uses
 * (ee10, mounted at {@code /*}).
 */
public final class JettyServer implements RunningServer {

    private final Server server;
    private final ServerConnector connector;

    private JettyServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    public static JettyServer start(WsapiHost host, String bindAddress, int port) throws Exception {
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(64 * 1024);
        http.setSendServerVersion(false);
        // the core decodes and checks paths itself: let encoded slashes through, as Undertow does
        http.setUriCompliance(UriCompliance.DEFAULT.with("apogee", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(bindAddress);
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder("apogee", new WsapiServlet(host));
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/*");
        context.getServletHandler().setDecodeAmbiguousURIs(true);
        // the core refuses oversized bodies with a 413 itself
        context.setMaxFormContentSize(-1);
        server.setHandler(new GracefulHandler(context));
        server.setStopTimeout(10_000);
        server.start();
        return new JettyServer(server, connector);
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void stop(Duration grace) {
        server.setStopTimeout(grace.toMillis());
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping Jetty", e);
        }
    }
}
