package org.apogee.lapps;

import java.net.InetSocketAddress;

import io.undertow.Undertow;
import io.undertow.server.handlers.ResponseCodeHandler;
import org.apogee.lapps.undertow.LappsUndertowHandler;

final class UndertowFixture implements ServerFixture {

    private Undertow undertow;

    @Override
    public int start(LappsHost host) {
        undertow = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(2)
                .setHandler(new LappsUndertowHandler(host, ResponseCodeHandler.HANDLE_404))
                .build();
        undertow.start();
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    @Override
    public void close() {
        if (undertow != null) undertow.stop();
    }
}
