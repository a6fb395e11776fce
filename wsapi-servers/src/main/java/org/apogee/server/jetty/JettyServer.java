package org.apogee.server.jetty;

import java.time.Duration;
import java.util.function.BiFunction;

import org.apogee.core.WsapiHost;
import org.apogee.server.HttpsOptions;
import org.apogee.server.RunningServer;
import org.apogee.server.servlet.WsapiServlet;
import org.apogee.server.tls.TlsContext;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Embedded Jetty 12 serving one {@link WsapiHost} through the same {@link WsapiServlet} a WAR uses
 * (ee10, mounted at {@code /*}), over plain HTTP, HTTPS (HTTP/1.1 and HTTP/2 by ALPN) or both.
 */
public final class JettyServer implements RunningServer {

    private final Server server;
    private final ServerConnector connector;
    private final ServerConnector tlsConnector;

    private JettyServer(Server server, ServerConnector connector, ServerConnector tlsConnector) {
        this.server = server;
        this.connector = connector;
        this.tlsConnector = tlsConnector;
    }

    public static JettyServer start(WsapiHost host, String bindAddress, int port) throws Exception {
        return start(host, bindAddress, port, null, (server, next) -> next);
    }

    /** HTTP and HTTPS as {@link #start(WsapiHost, String, int, HttpsOptions, BiFunction)}, nothing around the apps. */
    public static JettyServer start(WsapiHost host, String bindAddress, int port, HttpsOptions https) throws Exception {
        return start(host, bindAddress, port, https, (server, next) -> next);
    }

    /** Plain HTTP with {@code outer} wrapped around the WSAPI handler (for example WebSocket upgrades). */
    public static JettyServer start(WsapiHost host, String bindAddress, int port,
                                    BiFunction<Server, Handler, Handler> outer) throws Exception {
        return start(host, bindAddress, port, null, outer);
    }

    /**
     * Starts listening on plain HTTP ({@code port}) and, when {@code https} is given, on TLS
     * ({@code https.port()}); the plain port then listens only unless {@code https.plainHttp()} is
     * {@code OFF}. The certificate and key are loaded and checked before anything listens.
     *
     * {@code outer} is wrapped around the WSAPI handler (for example WebSocket upgrades); {@code host}
     * may be null: then only what {@code outer} handles is served and everything else is a 404.
     *
     * @throws org.apogee.server.tls.TlsConfigException when the certificate, key or keystore cannot be used
     */
    public static JettyServer start(WsapiHost host, String bindAddress, int port, HttpsOptions https,
                                    BiFunction<Server, Handler, Handler> outer) throws Exception {
        TlsContext tls = https == null ? null : https.tls().load();
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(64 * 1024);
        http.setSendServerVersion(false);
        // the core decodes and checks paths itself: let encoded slashes through, as Undertow does
        http.setUriCompliance(UriCompliance.DEFAULT.with("apogee", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));
        ServerConnector connector = null;
        if (https == null || https.plainHttp() != HttpsOptions.PlainHttp.OFF) {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
            connector.setHost(bindAddress);
            connector.setPort(port);
            server.addConnector(connector);
        }
        ServerConnector tlsConnector = null;
        if (https != null) {
            tlsConnector = tlsConnector(server, http, tls, https.http2());
            tlsConnector.setHost(bindAddress);
            tlsConnector.setPort(https.port());
            server.addConnector(tlsConnector);
        }
        Handler handler = outer.apply(server, host == null ? notFound() : context(host));
        if (https != null && https.plainHttp() == HttpsOptions.PlainHttp.REDIRECT) {
            ServerConnector secure = tlsConnector;
            handler = new JettyHttpsRedirect(handler, secure::getLocalPort);
        }
        server.setHandler(new GracefulHandler(handler));
        server.setStopTimeout(10_000);
        server.start();
        return new JettyServer(server, connector, tlsConnector);
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

    private static ServerConnector tlsConnector(Server server, HttpConfiguration http, TlsContext tls, boolean http2) {
        HttpConfiguration secure = new HttpConfiguration(http);
        // Undertow does not compare the Host header with the certificate's names; neither do we here
        secure.addCustomizer(new SecureRequestCustomizer(false));
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(tls.sslContext());
        ssl.setIncludeProtocols(tls.protocolArray());
        HttpConnectionFactory http11 = new HttpConnectionFactory(secure);
        if (!http2) return new ServerConnector(server, new SslConnectionFactory(ssl, http11.getProtocol()), http11);
        ssl.setCipherComparator(HTTP2Cipher.COMPARATOR);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(secure);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(http11.getProtocol());
        return new ServerConnector(server, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn, h2, http11);
    }

    /** The plain HTTP port, or the TLS port when there is no plain listener. */
    @Override
    public int port() {
        return connector != null ? connector.getLocalPort() : tlsPort();
    }

    @Override
    public int tlsPort() {
        return tlsConnector == null ? -1 : tlsConnector.getLocalPort();
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
