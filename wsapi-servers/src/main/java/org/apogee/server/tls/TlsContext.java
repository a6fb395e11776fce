package org.apogee.server.tls;

import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * A checked TLS identity, ready for a server: the JDK {@link SSLContext} holding the key and its
 * certificate chain, and the protocol versions to enable on every connection. Each server applies
 * {@link #protocols()} itself (Undertow's {@code SSL_ENABLED_PROTOCOLS}, Jetty's include list), or
 * calls {@link #configure(SSLEngine)} on engines it makes.
 *
 * @param sslContext the JDK TLS context (no client certificates are asked for)
 * @param protocols  enabled protocol versions, e.g. {@code [TLSv1.3, TLSv1.2]}
 * @param chain      the server certificate first, then intermediates
 */
public record TlsContext(SSLContext sslContext, List<String> protocols, List<X509Certificate> chain) {

    public TlsContext {
        protocols = List.copyOf(protocols);
        chain = List.copyOf(chain);
    }

    public String[] protocolArray() {
        return protocols.toArray(String[]::new);
    }

    /** The server's own certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** Restricts an engine made from {@link #sslContext()} to {@link #protocols()}. */
    public SSLEngine configure(SSLEngine engine) {
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(protocolArray());
        engine.setSSLParameters(params);
        return engine;
    }

    /** One line for a start-up message: subject, key, expiry, protocols. */
    public String describe() {
        X509Certificate c = certificate();
        String key = c.getPublicKey().getAlgorithm();
        if (c.getPublicKey() instanceof RSAKey rsa) key += " " + rsa.getModulus().bitLength();
        if (c.getPublicKey() instanceof ECKey ec) key += " " + ec.getParams().getOrder().bitLength();
        String until = DateTimeFormatter.ISO_LOCAL_DATE.format(c.getNotAfter().toInstant().atOffset(ZoneOffset.UTC));
        return c.getSubjectX500Principal().getName() + ", " + key + ", valid until " + until + ", "
                + String.join(" ", protocols);
    }
}
