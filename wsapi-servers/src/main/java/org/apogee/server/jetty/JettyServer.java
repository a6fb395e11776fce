package org.apogee.server.jetty;

import java.time.Duration;
import java.util.function.BiFunction;

import org.apogee.core.WsapiHost;
import org.apogee.server.RunningServer;
import org.apogee.server.servlet.WsapiServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

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
        return start(host, bindAddress, port, (server, next) -> next);
    }

    /**
     * As {@link #start(WsapiHost, String, int)}, with {@code outer} wrapped around the WSAPI
     * handler (for example WebSocket upgrades). {@code host} may be null: then only what
     * {@code outer} handles is served and everything else is a 404.
     */
    public static JettyServer start(WsapiHost host, String bindAddress, int port,
                                    BiFunction<Server, Handler, Handler> outer) throws Exception {
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
        Handler app = host == null ? notFound() : context(host);
        server.setHandler(new GracefulHandler(outer.apply(server, app)));
        server.setStopTimeout(10_000);
        server.start();
        return new JettyServer(server, connector);
    }

    private static ServletContextHandler context(WsapiHost host) {
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder("apogee", new WsapiServlet(host));
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/*");
        context.getServletHandler().setDecodeAmbiguousURIs(true);
        // the core refuses oversized bodies with a 413 itself
        context.setMaxFormContentSize(-1);
        return context;
    }

    private static Handler notFound() {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Response.writeError(request, response, callback, 404);
                return true;
            }
        };
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
