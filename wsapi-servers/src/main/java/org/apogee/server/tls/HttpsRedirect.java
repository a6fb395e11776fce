package org.apogee.server.tls;

import java.util.regex.Pattern;

/**
 * Where a plain HTTP request is sent when the plain port only redirects to HTTPS: the same host,
 * path and query on the TLS port. Shared by the launchers so they answer alike.
 */
public final class HttpsRedirect {

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._~\\-]+|\\[[0-9A-Fa-f:.]+\\]");

    private HttpsRedirect() {}

    /**
     * @param host         the host the client asked for (Host header without its port)
     * @param fallbackHost used when {@code host} is missing or malformed: the address the client connected to
     * @param tlsPort     the TLS port (left out of the URL when it is 443)
     * @param pathAndQuery the raw request target's path, with {@code ?query} if any
     */
    public static String location(String host, String fallbackHost, int tlsPort, String pathAndQuery) {
        String h = host == null || !HOST.matcher(host).matches() ? fallbackHost : host;
        if (h.contains(":") && !h.startsWith("[")) h = "[" + h + "]";
        String path = pathAndQuery == null || !pathAndQuery.startsWith("/") ? "/" : pathAndQuery;
        return "https://" + h + (tlsPort == 443 ? "" : ":" + tlsPort) + path;
    }

    /** 301 for GET and HEAD; 308 for other methods, so the client repeats the method and body. */
    public static int status(String method) {
        return method.equals("GET") || method.equals("HEAD") ? 301 : 308;
    }
}
