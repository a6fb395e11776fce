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
import org.apogee.server.RunningServer;

/**
 * The standalone server: Undertow listening on one address, serving one {@link WsapiHost}.
 * {@link #stop(Duration)} stops accepting, lets in-flight requests finish within the bound, then
 * closes.
 */
public final class UndertowServer implements RunningServer {

    /** Request head limit (request line plus headers). */
    public static final int MAX_HEADER_BYTES = 64 * 1024;

    private final Undertow undertow;
    private final GracefulShutdownHandler shutdown;

    private UndertowServer(Undertow undertow, GracefulShutdownHandler shutdown) {
        this.undertow = undertow;
        this.shutdown = shutdown;
    }

    /** Starts listening; port 0 picks a free port (see {@link #port()}). */
    public static UndertowServer start(WsapiHost host, String bindAddress, int port) {
        return start(host, bindAddress, port, next -> next);
    }

    /**
     * As {@link #start(WsapiHost, String, int)}, with {@code outer} wrapped around the WSAPI
     * handler (for example WebSocket upgrades). {@code host} may be null: then only what
     * {@code outer} handles is served and everything else is a 404.
     */
    public static UndertowServer start(WsapiHost host, String bindAddress, int port, HandlerWrapper outer) {
        HttpHandler app = host == null ? ResponseCodeHandler.HANDLE_404 : new UndertowAdapter(host);
        long maxBody = host == null ? HostConfig.DEFAULT_MAX_BODY : host.config().maxBodyBytes();
        GracefulShutdownHandler shutdown = new GracefulShutdownHandler(outer.wrap(app));
        int cores = Runtime.getRuntime().availableProcessors();
        Undertow undertow = Undertow.builder()
                .addHttpListener(port, bindAddress)
                .setIoThreads(Math.max(2, cores))
                .setWorkerThreads(Math.max(2, cores))
                .setServerOption(UndertowOptions.DECODE_URL, false)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_BYTES)
                .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
                // the core refuses oversized bodies with a 413; Undertow's own cut-off comes later
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, maxBody + 64 * 1024)
                .setHandler(shutdown)
                .build();
        undertow.start();
        return new UndertowServer(undertow, shutdown);
    }

    @Override
    public int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
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
    }
}
