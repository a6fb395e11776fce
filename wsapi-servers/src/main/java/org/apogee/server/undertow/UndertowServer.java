package org.apogee.server.undertow;

import java.net.InetSocketAddress;
import java.time.Duration;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HandlerWrapper;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.server.handlers.ResponseCodeHandler;
import org.apogee.core.HostConfig;
import org.apogee.core.WsapiHost;
import org.apogee.server.HttpsOptions;
import org.apogee.server.RunningServer;
import org.apogee.server.tls.TlsContext;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Sequence;

/**
 * The standalone server: Undertow listening on one address, serving one {@link WsapiHost}, over
 * plain HTTP, HTTPS (HTTP/1.1 and HTTP/2 by ALPN) or both. {@link #stop(Duration)} stops
 * accepting, lets in-flight requests finish within the bound, then closes.
 */
public final class UndertowServer implements RunningServer {

    /** Request head limit (request line plus headers). */
    public static final int MAX_HEADER_BYTES = 64 * 1024;

    private final Undertow undertow;
    private final GracefulShutdownHandler shutdown;
    private final BufferPool buffers;

    private UndertowServer(Undertow undertow, GracefulShutdownHandler shutdown, BufferPool buffers) {
        this.undertow = undertow;
        this.shutdown = shutdown;
        this.buffers = buffers;
    }

    /** Starts listening on plain HTTP; port 0 picks a free port (see {@link #port()}). */
    public static UndertowServer start(WsapiHost host, String bindAddress, int port) {
        return start(host, bindAddress, port, null, next -> next);
    }

    /** HTTP and HTTPS as {@link #start(WsapiHost, String, int, HttpsOptions, HandlerWrapper)}, nothing around the apps. */
    public static UndertowServer start(WsapiHost host, String bindAddress, int port, HttpsOptions https) {
        return start(host, bindAddress, port, https, next -> next);
    }

    /** Plain HTTP with {@code outer} wrapped around the WSAPI handler (for example WebSocket upgrades). */
    public static UndertowServer start(WsapiHost host, String bindAddress, int port, HandlerWrapper outer) {
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
    public static UndertowServer start(WsapiHost host, String bindAddress, int port, HttpsOptions https,
                                       HandlerWrapper outer) {
        TlsContext tls = https == null ? null : https.tls().load();
        HttpHandler app = host == null ? ResponseCodeHandler.HANDLE_404 : new UndertowAdapter(host);
        long maxBody = host == null ? HostConfig.DEFAULT_MAX_BODY : host.config().maxBodyBytes();
        GracefulShutdownHandler shutdown = new GracefulShutdownHandler(outer.wrap(app));
        int cores = Runtime.getRuntime().availableProcessors();
        BufferPool buffers = BufferPool.create();
        Undertow.Builder builder = Undertow.builder()
                .setIoThreads(Math.max(2, cores))
                .setWorkerThreads(Math.max(2, cores))
                .setByteBufferPool(buffers)
                .setServerOption(UndertowOptions.DECODE_URL, false)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_BYTES)
                .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
                // the core refuses oversized bodies with a 413; Undertow's own cut-off comes later
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, maxBody + 64 * 1024)
                .setHandler(shutdown);
        Undertow[] started = new Undertow[1];
        if (https == null || https.plainHttp() != HttpsOptions.PlainHttp.OFF) {
            Undertow.ListenerBuilder plain = new Undertow.ListenerBuilder()
                    .setType(Undertow.ListenerType.HTTP).setHost(bindAddress).setPort(port);
            if (https != null && https.plainHttp() == HttpsOptions.PlainHttp.REDIRECT) {
                plain.setRootHandler(new UndertowHttpsRedirect(() -> listenerPort(started[0], "https")));
            }
            builder.addListener(plain);
        }
        if (https != null) {
            builder.addListener(new Undertow.ListenerBuilder()
                    .setType(Undertow.ListenerType.HTTPS).setHost(bindAddress).setPort(https.port())
                    .setSslContext(tls.sslContext())
                    .setOverrideSocketOptions(OptionMap.create(Options.SSL_ENABLED_PROTOCOLS, Sequence.of(tls.protocols()))));
            // HTTP/2 by ALPN on the TLS listener; on a serving plain listener Undertow then also accepts h2c upgrades
            if (https.http2()) builder.setServerOption(UndertowOptions.ENABLE_HTTP2, true);
        }
        Undertow undertow = builder.build();
        started[0] = undertow;
        undertow.start();
        return new UndertowServer(undertow, shutdown, buffers);
    }

    private static int listenerPort(Undertow undertow, String protocol) {
        for (Undertow.ListenerInfo info : undertow.getListenerInfo()) {
            if (info.getProtcol().equals(protocol)) return ((InetSocketAddress) info.getAddress()).getPort();
        }
        return -1;
    }

    /** The plain HTTP port, or the TLS port when there is no plain listener. */
    @Override
    public int port() {
        int http = listenerPort(undertow, "http");
        return http >= 0 ? http : tlsPort();
    }

    @Override
    public int tlsPort() {
        return listenerPort(undertow, "https");
    }

    @Override
    public void stop(Duration grace) {
        shutdown.shutdown();
        try {
            shutdown.awaitShutdown(grace.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        undertow.stop();
        buffers.close();
    }
}
