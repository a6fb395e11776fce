package org.apogee.server.tls;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a server's TLS identity comes from and which protocol versions it speaks. Nothing is read
 * until {@link #load()}, which checks everything and gives a ready {@link TlsContext}.
 *
 * <p>The identity is either
 * <ul>
 *   <li>PEM files, as nginx and LAppS's {@code tls_certificates} use: {@code certificate} holds the
 *       server certificate first, then any intermediates; {@code key} holds its private key (PKCS#8
 *       {@code PRIVATE KEY} or {@code ENCRYPTED PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY}, or SEC1
 *       {@code EC PRIVATE KEY}). Without {@code key}, the key is looked for in the certificate file; or</li>
 *   <li>a PKCS#12 (or JKS) keystore in {@code certificate}, with {@code key} left null.</li>
 * </ul>
 *
 * @param certificate PEM certificate chain, or a keystore
 * @param key         PEM private key, or null (key in the certificate file, or a keystore)
 * @param password    the keystore's password or the encrypted key's, or null
 * @param protocols   enabled protocol versions, from {@code TLSv1.2} and {@code TLSv1.3}; null or empty for both
 */
public record TlsConfig(Path certificate, Path key, String password, List<String> protocols) {

    /** What a server speaks unless told otherwise: TLS 1.3 and 1.2. Older versions are never enabled. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public TlsConfig {
        Objects.requireNonNull(certificate, "certificate");
        protocols = protocols == null || protocols.isEmpty() ? DEFAULT_PROTOCOLS : normalise(protocols);
    }

    /** A PEM certificate chain and its PEM private key. */
    public static TlsConfig pem(Path certificate, Path key) {
        return new TlsConfig(certificate, key, null, null);
    }

    /** A PKCS#12 (or JKS) keystore holding one private key and its certificate chain. */
    public static TlsConfig keyStore(Path keyStore, String password) {
        return new TlsConfig(keyStore, null, password, null);
    }

    /**
     * The TLS settings of a LAppS {@code ws.json}: {@code tls_certificates.cert} and {@code .key}
     * (PEM) and {@code tls_server_version}, where 3 means TLS 1.2 only and 4, any other value or a
     * missing key means TLS 1.3 only, as in LAppS. The {@code ca} file is not needed by a server
     * that does not ask for client certificates.
     */
    public static TlsConfig lapps(Path cert, Path key, Integer tlsServerVersion) {
        return pem(cert, key).withProtocols(lappsProtocols(tlsServerVersion));
    }

    /** LAppS's {@code tls_server_version} / {@code tls_client_version} as protocol names. */
    public static List<String> lappsProtocols(Integer version) {
        return version != null && version == 3 ? List.of("TLSv1.2") : List.of("TLSv1.3");
    }

    public TlsConfig withPassword(String p) {
        return new TlsConfig(certificate, key, p, protocols);
    }

    public TlsConfig withProtocols(List<String> p) {
        return new TlsConfig(certificate, key, password, p);
    }

    /** Reads and checks the files, then builds the SSL context. */
    public TlsContext load() {
        return TlsLoader.load(this);
    }

    /**
     * Parses a comma-separated protocol list ({@code TLSv1.3,TLSv1.2}; {@code 1.3} and {@code tls1.3}
     * are accepted too).
     *
     * @throws IllegalArgumentException naming the version that is not supported
     */
    public static List<String> parseProtocols(String list) {
        List<String> out = new ArrayList<>();
        for (String p : list.split("[,\\s]+")) if (!p.isBlank()) out.add(p);
        if (out.isEmpty()) throw new IllegalArgumentException("no TLS protocol given (choose TLSv1.2, TLSv1.3 or both)");
        return normalise(out);
    }

    private static List<String> normalise(List<String> given) {
        boolean v12 = false, v13 = false;
        for (String p : given) {
            String s = p.trim().toLowerCase(Locale.ROOT).replace("tlsv", "").replace("tls", "");
            switch (s) {
                case "1.2" -> v12 = true;
                case "1.3" -> v13 = true;
                default -> throw new IllegalArgumentException("unsupported TLS protocol '" + p.trim()
                        + "' (choose TLSv1.2, TLSv1.3 or both; SSL, TLS 1.0 and TLS 1.1 are insecure and never enabled)");
            }
        }
        List<String> out = new ArrayList<>(2);
        if (v13) out.add("TLSv1.3");
        if (v12) out.add("TLSv1.2");
        return List.copyOf(out);
    }

    /** Keeps the password out of logs. */
    @Override
    public String toString() {
        return "TlsConfig[certificate=" + certificate + ", key=" + key + ", password=" + (password == null ? "none" : "***")
                + ", protocols=" + protocols + "]";
    }
}
