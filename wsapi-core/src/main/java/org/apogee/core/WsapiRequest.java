package org.apogee.core;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a server adapter hands to the core: one request, in server-neutral form.
 *
 * <p>Strings that carry wire bytes (path, query string, header values) are ISO-8859-1: each char is
 * one byte, so the core passes them to Lua byte for byte.
 *
 * @param method        request method, e.g. {@code GET}
 * @param scheme        {@code http} or {@code https}
 * @param serverName    the host the client asked for (Host header without port), or the local address
 * @param serverPort    the port the client connected to
 * @param rawPath       the request target's path, still percent-encoded, starting with {@code /}
 * @param queryString   the raw query string without {@code ?}, or {@code ""}
 * @param protocol      e.g. {@code HTTP/1.1}
 * @param remoteAddress the client's address
 * @param remotePort    the client's port
 * @param headers       request headers in arrival order, repeats kept
 * @param body          the request body, streamed (framing already removed by the server)
 * @param mountPath     the prefix where the server mounted Apogee (a servlet context path), or {@code ""}
 * @param frontEnd      what a web server in front (CGI, FastCGI) already worked out, or null
 */
public record WsapiRequest(
        String method,
        String scheme,
        String serverName,
        int serverPort,
        String rawPath,
        String queryString,
        String protocol,
        String remoteAddress,
        int remotePort,
        List<Header> headers,
        InputStream body,
        String mountPath,
        FrontEnd frontEnd) {

    /**
     * What a web server in front of Apogee already decided about a request, as CGI and FastCGI
     * front ends send it (nginx's {@code fastcgi_split_path_info}, {@code $document_root}). Every
     * field is optional (null: not sent). Values are ISO-8859-1 byte strings like the rest of the
     * request; paths are already percent-decoded, as CGI meta-variables are.
     *
     * <p>The core honours a split only when {@code pathInfo} is present: an app file target then
     * gets this {@code SCRIPT_NAME}/{@code PATH_INFO}; in document-root mode the script the front
     * end names ({@code scriptFilename}, else {@code scriptName} under the root) runs when it is a
     * file inside the configured root, is refused when it lies outside, and the request path is
     * walked as usual when it is no file (a folder, or a split that named nothing).
     *
     * @param scriptName     SCRIPT_NAME as the front end split it
     * @param pathInfo       PATH_INFO as the front end split it; null when it did not split
     * @param scriptFilename SCRIPT_FILENAME: the file the front end says serves the request
     * @param documentRoot   DOCUMENT_ROOT, shown to apps as is
     * @param requestUri     REQUEST_URI (path and query as the client sent them), shown to apps as is
     */
    public record FrontEnd(String scriptName, String pathInfo, String scriptFilename, String documentRoot,
                           String requestUri) {}

    /** A request with no front-end paths (an HTTP server adapter). */
    public WsapiRequest(String method, String scheme, String serverName, int serverPort, String rawPath,
                        String queryString, String protocol, String remoteAddress, int remotePort,
                        List<Header> headers, InputStream body, String mountPath) {
        this(method, scheme, serverName, serverPort, rawPath, queryString, protocol, remoteAddress, remotePort,
                headers, body, mountPath, null);
    }

    public WsapiRequest {
        Objects.requireNonNull(method, "method");
        scheme = scheme == null ? "http" : scheme;
        serverName = serverName == null ? "" : serverName;
        rawPath = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        queryString = queryString == null ? "" : queryString;
        protocol = protocol == null ? "HTTP/1.1" : protocol;
        remoteAddress = remoteAddress == null ? "" : remoteAddress;
        headers = headers == null ? List.of() : headers;
        body = body == null ? InputStream.nullInputStream() : body;
        mountPath = mountPath == null ? "" : mountPath;
    }

    /** The first value of a header, case-insensitively, or null. */
    public String header(String name) {
        for (Header h : headers) if (h.name().equalsIgnoreCase(name)) return h.value();
        return null;
    }

    public static Builder builder(String method, String rawPath) {
        return new Builder(method, rawPath);
    }

    /** For adapters and tests. */
    public static final class Builder {
        private final String method;
        private final String rawPath;
        private String scheme = "http", serverName = "127.0.0.1", queryString = "", protocol = "HTTP/1.1";
        private String remoteAddress = "127.0.0.1", mountPath = "";
        private int serverPort = 80, remotePort;
        private final List<Header> headers = new ArrayList<>();
        private InputStream body;
        private FrontEnd frontEnd;

        private Builder(String method, String rawPath) {
            this.method = method;
            this.rawPath = rawPath;
        }

        public Builder scheme(String v) { scheme = v; return this; }
        public Builder server(String name, int port) { serverName = name; serverPort = port; return this; }
        public Builder queryString(String v) { queryString = v; return this; }
        public Builder protocol(String v) { protocol = v; return this; }
        public Builder remote(String address, int port) { remoteAddress = address; remotePort = port; return this; }
        public Builder header(String name, String value) { headers.add(new Header(name, value)); return this; }
        public Builder body(InputStream v) { body = v; return this; }
        public Builder mountPath(String v) { mountPath = v; return this; }
        public Builder frontEnd(FrontEnd v) { frontEnd = v; return this; }

        public WsapiRequest build() {
            return new WsapiRequest(method, scheme, serverName, serverPort, rawPath, queryString, protocol,
                    remoteAddress, remotePort, List.copyOf(headers), body, mountPath, frontEnd);
        }
    }
}
