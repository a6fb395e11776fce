package org.apogee.lapps.servlet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apogee.lapps.Admission;
import org.apogee.lapps.LappsHost;

/**
 * Decides every WebSocket upgrade request before the container's own WebSocket filter: a refusal
 * is answered here (404 unknown target, 403 ACL or Origin, ...); an accepted request goes on with
 * its {@link Admission.Accepted} kept for the endpoint, on this thread.
 */
final class AdmissionFilter extends HttpFilter {

    /** The admission of the upgrade in progress on this thread. */
    static final ThreadLocal<Accepted> CURRENT = new ThreadLocal<>();

    record Accepted(Admission.Accepted admission, InetSocketAddress remote) {}

    private final LappsWebApp app;

    AdmissionFilter(LappsWebApp app) {
        this.app = app;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws IOException, ServletException {
        String upgrade = request.getHeader("Upgrade");
        LappsHost host = app.host();
        if (host == null || upgrade == null || !upgrade.equalsIgnoreCase("websocket") || !"GET".equals(request.getMethod())) {
            chain.doFilter(request, response);
            return;
        }
        // request targets in lapps.json are relative to the application's context path
        String uri = request.getRequestURI().substring(request.getContextPath().length());
        String target = uri + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        List<String> offered = new ArrayList<>();
        for (String header : Collections.list(request.getHeaders("Sec-WebSocket-Protocol"))) {
            for (String p : header.split(",")) if (!p.isBlank()) offered.add(p.trim());
        }
        InetAddress peer;
        try {
            peer = InetAddress.getByName(request.getRemoteAddr());
        } catch (IOException e) {
            peer = null;
        }
        switch (host.admit(target, peer, request.getHeader("Origin"), offered)) {
            case Admission.Refused r -> response.sendError(r.status(), r.message());
            case Admission.Accepted a -> {
                CURRENT.set(new Accepted(a, new InetSocketAddress(request.getRemoteAddr(), request.getRemotePort())));
                try {
                    chain.doFilter(request, response);
                } finally {
                    CURRENT.remove();
                }
            }
        }
    }
}
