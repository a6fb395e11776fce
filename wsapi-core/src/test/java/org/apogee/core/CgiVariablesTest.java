package org.apogee.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CgiVariablesTest {

    private static List<Map.Entry<String, String>> vars(String... kv) {
        List<Map.Entry<String, String>> l = new java.util.ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) l.add(Map.entry(kv[i], kv[i + 1]));
        return l;
    }

    @Test
    void fastCgiParamsAsNginxSendsThem() {
        WsapiRequest r = CgiVariables.forScripts(vars(
                "QUERY_STRING", "a=1", "REQUEST_METHOD", "GET", "CONTENT_TYPE", "", "CONTENT_LENGTH", "",
                "SCRIPT_NAME", "/app.lua", "REQUEST_URI", "/app.lua/x%20y?a=1", "DOCUMENT_URI", "/app.lua/x y",
                "DOCUMENT_ROOT", "/srv/www", "SERVER_PROTOCOL", "HTTP/1.0", "REQUEST_SCHEME", "http", "HTTPS", "on",
                "REMOTE_ADDR", "10.0.0.1", "REMOTE_PORT", "5555", "SERVER_PORT", "443", "SERVER_NAME", "example.org",
                "SCRIPT_FILENAME", "/srv/www/app.lua", "PATH_INFO", "/x y",
                "HTTP_HOST", "example.org", "HTTP_X_MULTI", "one", "HTTP_X_MULTI", "two"), InputStream.nullInputStream());
        assertEquals("GET", r.method());
        assertEquals("https", r.scheme());
        assertEquals("example.org", r.serverName());
        assertEquals(443, r.serverPort());
        assertEquals("/app.lua/x%20y", r.rawPath());
        assertEquals("a=1", r.queryString());
        assertEquals("HTTP/1.0", r.protocol());
        assertEquals("10.0.0.1", r.remoteAddress());
        assertEquals(5555, r.remotePort());
        assertEquals("", r.mountPath());
        assertEquals(List.of(new Header("Host", "example.org"), new Header("X-Multi", "one"), new Header("X-Multi", "two")),
                r.headers(), "empty CONTENT_TYPE and CONTENT_LENGTH are no headers");
        assertEquals(new WsapiRequest.FrontEnd("/app.lua", "/x y", "/srv/www/app.lua", "/srv/www", "/app.lua/x%20y?a=1"),
                r.frontEnd());
    }

    @Test
    void withoutPathInfoThereIsNoSplit() {
        WsapiRequest r = CgiVariables.forScripts(vars("REQUEST_METHOD", "POST", "DOCUMENT_URI", "/a/b.lua/c",
                "CONTENT_LENGTH", "3", "CONTENT_TYPE", "text/plain"), InputStream.nullInputStream());
        assertNull(r.frontEnd().pathInfo());
        assertEquals(List.of(new Header("Content-Type", "text/plain"), new Header("Content-Length", "3")), r.headers());
        assertEquals("http", r.scheme());
        assertEquals("HTTP/1.1", r.protocol());
    }

    @Test
    void thePathComesFromDocumentUriElseRequestUriElseTheSplit() {
        assertEquals("/from/uri", CgiVariables.forScripts(vars("REQUEST_URI", "/from/uri?q"), null).rawPath());
        assertEquals("/s.lua/p%25", CgiVariables.forScripts(vars("SCRIPT_NAME", "/s.lua", "PATH_INFO", "/p%"), null).rawPath());
        assertEquals("/", CgiVariables.forScripts(vars(), null).rawPath());
    }

    @Test
    void decodedPathsAreEncodedSoTheCoreDecodesThemBackExactly() {
        String bytes = new String(new byte[] {'/', 'c', 'a', 'f', (byte) 0xC3, (byte) 0xA9, ' ', '%', '?', '#', (byte) 0xFF},
                StandardCharsets.ISO_8859_1);
        String encoded = CgiVariables.encodePath(bytes);
        assertEquals("/caf%C3%A9%20%25%3F%23%FF", encoded);
        assertArrayEquals(bytes.getBytes(StandardCharsets.ISO_8859_1), Router.percentDecode(encoded));
    }

    @Test
    void aCgiProgramIsMountedAtItsScriptName() {
        WsapiRequest r = CgiVariables.forGateway(vars("REQUEST_METHOD", "GET", "SCRIPT_NAME", "/cgi-bin/site.cgi",
                "PATH_INFO", "/dir/app.lua/x", "DOCUMENT_ROOT", "/var/www", "HTTP_COOKIE", "a=1",
                "SERVER_NAME", "", "HTTP_HOST", "h.test:8080"), InputStream.nullInputStream());
        assertEquals("/cgi-bin/site.cgi", r.mountPath());
        assertEquals("/dir/app.lua/x", r.rawPath());
        assertEquals("h.test", r.serverName(), "SERVER_NAME falls back to the Host header");
        assertEquals(new WsapiRequest.FrontEnd(null, null, null, "/var/www", null), r.frontEnd());
        assertEquals("/", CgiVariables.forGateway(vars("SCRIPT_NAME", "/x.lua"), null).rawPath());
    }

    @Test
    void headerNames() {
        assertEquals("X-Custom-Thing", CgiVariables.headerName("X_CUSTOM_THING"));
        assertEquals("Accept", CgiVariables.headerName("ACCEPT"));
    }
}
