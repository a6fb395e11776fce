package org.apogee.server.undertow;

import java.net.InetSocketAddress;
import java.time.Duration;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.GracefulShutdownHandler;
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
    private final BufferPool buffers;

    private UndertowServer(Undertow undertow, GracefulShutdownHandler shutdown, BufferPool buffers) {
        this.undertow = undertow;
        this.shutdown = shutdown;
        this.buffers = buffers;
    }

    /** Starts listening; port 0 picks a free port (see {@link #port()}). */
    public static UndertowServer start(WsapiHost host, String bindAddress, int port) {
        GracefulShutdownHandler shutdown = new GracefulShutdownHandler(new UndertowAdapter(host));
        int cores = Runtime.getRuntime().availableProcessors();
        BufferPool buffers = BufferPool.create();
        Undertow undertow = Undertow.builder()
                .addHttpListener(port, bindAddress)
                .setIoThreads(Math.max(2, cores))
                .setWorkerThreads(Math.max(2, cores))
                .setByteBufferPool(buffers)
                .setServerOption(UndertowOptions.DECODE_URL, false)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_BYTES)
                .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
                // the core refuses oversized bodies with a 413; Undertow's own cut-off comes later
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, host.config().maxBodyBytes() + 64 * 1024)
                .setHandler(shutdown)
                .build();
        undertow.start();
        return new UndertowServer(undertow, shutdown, buffers);
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
        buffers.close();
    }
}
