package org.apogee.core;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns CGI meta-variables (RFC 3875), as CGI and FastCGI front ends pass them, into a
 * {@link WsapiRequest}. Names and values are ISO-8859-1 byte strings, like every string of a
 * request. {@code HTTP_*} variables become headers (repeats kept, in order); {@code CONTENT_TYPE} and
 * {@code CONTENT_LENGTH} become the Content-Type and Content-Length headers when not empty.
 *
 * <p>Two shapes, because the two transports mean different things by {@code SCRIPT_NAME}:
 * <ul>
 *   <li>{@link #forScripts}: a long-running server that serves many scripts (FastCGI). The front
 *       end's split ({@code SCRIPT_NAME}, {@code PATH_INFO}, {@code SCRIPT_FILENAME}) names the
 *       Lua script; the request path is {@code DOCUMENT_URI}.</li>
 *   <li>{@link #forGateway}: one program started for the request (CGI). {@code SCRIPT_NAME} is where
 *       the program is mounted and {@code PATH_INFO} the path under it, as for a servlet.</li>
 * </ul>
 * Either way {@code DOCUMENT_ROOT} and {@code REQUEST_URI} reach the app as the front end sent them.
 */
public final class CgiVariables {

    private CgiVariables() {}

    /** For a server serving many scripts (FastCGI): the front end's split names the script. */
    public static WsapiRequest forScripts(List<Map.Entry<String, String>> variables, InputStream body) {
        Map<String, String> v = lookup(variables);
        String path = v.get("DOCUMENT_URI");
        String rawPath;
        if (path != null && !path.isEmpty()) {
            rawPath = encodePath(path);
        } else if (v.get("REQUEST_URI") != null && v.get("REQUEST_URI").startsWith("/")) {
            String uri = v.get("REQUEST_URI");
            int q = uri.indexOf('?');
            rawPath = q < 0 ? uri : uri.substring(0, q);
        } else {
            rawPath = encodePath(v.getOrDefault("SCRIPT_NAME", "") + v.getOrDefault("PATH_INFO", ""));
        }
        WsapiRequest.FrontEnd frontEnd = new WsapiRequest.FrontEnd(v.get("SCRIPT_NAME"), v.get("PATH_INFO"),
                v.get("SCRIPT_FILENAME"), v.get("DOCUMENT_ROOT"), v.get("REQUEST_URI"));
        return request(variables, v, rawPath, "", frontEnd, body);
    }

    /** For a program started per request (CGI): SCRIPT_NAME is its mount point, PATH_INFO the path under it. */
    public static WsapiRequest forGateway(List<Map.Entry<String, String>> variables, InputStream body) {
        Map<String, String> v = lookup(variables);
        String mount = utf8(v.getOrDefault("SCRIPT_NAME", ""));
        if (mount.endsWith("/")) mount = mount.substring(0, mount.length() - 1);
        WsapiRequest.FrontEnd frontEnd = new WsapiRequest.FrontEnd(null, null, null, v.get("DOCUMENT_ROOT"),
                v.get("REQUEST_URI"));
        return request(variables, v, encodePath(v.getOrDefault("PATH_INFO", "")), mount, frontEnd, body);
    }

    private static WsapiRequest request(List<Map.Entry<String, String>> variables, Map<String, String> v,
                                        String rawPath, String mount, WsapiRequest.FrontEnd frontEnd, InputStream body) {
        List<Header> headers = new ArrayList<>();
        String type = v.get("CONTENT_TYPE");
        if (type != null && !type.isEmpty()) headers.add(new Header("Content-Type", type));
        String length = v.get("CONTENT_LENGTH");
        if (length != null && !length.isEmpty()) headers.add(new Header("Content-Length", length));
        for (Map.Entry<String, String> e : variables) {
            String name = e.getKey();
            if (name.length() > 5 && name.startsWith("HTTP_") && !name.equals("HTTP_CONTENT_TYPE")
                    && !name.equals("HTTP_CONTENT_LENGTH")) {
                headers.add(new Header(headerName(name.substring(5)), e.getValue()));
            }
        }
        String https = v.getOrDefault("HTTPS", "");
        String scheme = https.equalsIgnoreCase("on") || https.equals("1") ? "https"
                : v.getOrDefault("REQUEST_SCHEME", "http").toLowerCase(Locale.ROOT);
        String serverName = v.get("SERVER_NAME");
        if (serverName == null || serverName.isEmpty()) serverName = hostWithoutPort(v.getOrDefault("HTTP_HOST", ""));
        return new WsapiRequest(v.getOrDefault("REQUEST_METHOD", ""), scheme, serverName, number(v.get("SERVER_PORT")),
                rawPath.isEmpty() ? "/" : rawPath, v.get("QUERY_STRING"), emptyAsNull(v.get("SERVER_PROTOCOL")),
                v.get("REMOTE_ADDR"), number(v.get("REMOTE_PORT")), List.copyOf(headers), body, mount, frontEnd);
    }

    /** The first value of each name. */
    private static Map<String, String> lookup(List<Map.Entry<String, String>> variables) {
        Map<String, String> m = new HashMap<>(variables.size() * 2);
        for (Map.Entry<String, String> e : variables) m.putIfAbsent(e.getKey(), e.getValue());
        return m;
    }

    /** {@code X_CUSTOM_THING} to {@code X-Custom-Thing}. */
    static String headerName(String variable) {
        StringBuilder sb = new StringBuilder(variable.length());
        boolean start = true;
        for (int i = 0; i < variable.length(); i++) {
            char c = variable.charAt(i);
            if (c == '_') {
                sb.append('-');
                start = true;
            } else {
                sb.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
                start = false;
            }
        }
        return sb.toString();
    }

    /**
     * A decoded path (CGI variables are decoded) as a request target path: {@code %}, controls,
     * spaces, {@code ?}, {@code #} and non-ASCII bytes are percent-encoded, so the core's single
     * decoding gives back exactly these bytes.
     */
    static String encodePath(String decoded) {
        StringBuilder sb = null;
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            boolean plain = c > ' ' && c < 127 && c != '%' && c != '?' && c != '#' && c != '"' && c != '<' && c != '>'
                    && c != '\\' && c != '^' && c != '`' && c != '{' && c != '|' && c != '}';
            if (plain) {
                if (sb != null) sb.append(c);
                continue;
            }
            if (sb == null) sb = new StringBuilder(decoded.length() + 16).append(decoded, 0, i);
            sb.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xF, 16)))
                    .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
        }
        return sb == null ? decoded : sb.toString();
    }

    private static String hostWithoutPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    private static int number(String s) {
        if (s == null) return 0;
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String emptyAsNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String utf8(String latin1) {
        return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
