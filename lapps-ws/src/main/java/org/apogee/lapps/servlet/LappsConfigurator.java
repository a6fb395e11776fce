package org.apogee.lapps.servlet;

import java.util.List;
import java.util.Map;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * Carries the host's decision (taken by {@link AdmissionFilter} on the same thread) into the
 * handshake: the subprotocol, the extra 101 headers, and the connection's admission for the endpoint.
 */
final class LappsConfigurator extends ServerEndpointConfig.Configurator {

    static final String ADMISSION = "apogee.lapps.admission";

    private final LappsWebApp app;

    LappsConfigurator(LappsWebApp app) {
        this.app = app;
    }

    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
        AdmissionFilter.Accepted a = AdmissionFilter.CURRENT.get();
        return a == null || a.admission().subprotocol() == null ? "" : a.admission().subprotocol();
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
        AdmissionFilter.Accepted a = AdmissionFilter.CURRENT.get();
        if (a == null) return; // the endpoint refuses it at open
        for (Map.Entry<String, String> h : a.admission().extraHeaders().entrySet()) {
            response.getHeaders().put(h.getKey(), List.of(h.getValue()));
        }
        sec.getUserProperties().put(ADMISSION, a);
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        return endpointClass.cast(new JakartaEndpoint(app));
    }
}
