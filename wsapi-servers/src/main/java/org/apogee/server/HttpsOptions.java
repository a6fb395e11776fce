package org.apogee.server;

import java.util.Objects;

import org.apogee.server.tls.TlsConfig;

/**
 * HTTPS for a standalone server: the TLS port and identity, what the plain HTTP port does, and
 * whether HTTP/2 is offered (by ALPN, on the TLS port only).
 *
 * @param port      the TLS port; 0 picks a free one
 * @param tls       certificate, key and protocol versions; loaded and checked when the server starts
 * @param plainHttp what the plain HTTP port does next to HTTPS
 * @param http2     offer HTTP/2 to clients that ask for it by ALPN; HTTP/1.1 otherwise
 */
public record HttpsOptions(int port, TlsConfig tls, PlainHttp plainHttp, boolean http2) {

    /** The plain HTTP port next to HTTPS. */
    public enum PlainHttp {
        /** No plain HTTP listener. */
        OFF,
        /** Every plain request is redirected to the same URL on HTTPS (301; 308 for methods other than GET and HEAD). */
        REDIRECT,
        /** The plain port serves the apps too, as it does without TLS. */
        SERVE
    }

    public HttpsOptions {
        Objects.requireNonNull(tls, "tls");
        plainHttp = plainHttp == null ? PlainHttp.OFF : plainHttp;
        if (port < 0 || port > 65535) throw new IllegalArgumentException("TLS port must be between 0 and 65535, got " + port);
    }

    /** HTTPS only, with HTTP/2. */
    public static HttpsOptions of(int port, TlsConfig tls) {
        return new HttpsOptions(port, tls, PlainHttp.OFF, true);
    }

    public HttpsOptions withPlainHttp(PlainHttp p) {
        return new HttpsOptions(port, tls, p, http2);
    }

    public HttpsOptions withHttp2(boolean h) {
        return new HttpsOptions(port, tls, plainHttp, h);
    }
}
