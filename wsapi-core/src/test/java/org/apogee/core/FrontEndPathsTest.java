package org.apogee.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A split made by a web server in front (CGI, FastCGI): when the core takes it, and what it refuses. */
class FrontEndPathsTest {

    private static final String ENV_APP = """
            return function(env)
              local text = table.concat({ "SCRIPT_NAME=" .. env.SCRIPT_NAME, "PATH_INFO=" .. env.PATH_INFO,
                "SCRIPT_FILENAME=" .. env.SCRIPT_FILENAME, "DOCUMENT_ROOT=" .. env.DOCUMENT_ROOT,
                "REQUEST_URI=" .. env.REQUEST_URI, "" }, "\\n")
              return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(text) end)
            end
            """;

    @TempDir Path tmp;
    private Path root;

    @BeforeEach
    void site() throws Exception {
        root = Files.createDirectories(tmp.resolve("www"));
        Files.createDirectories(root.resolve("dir"));
        Files.writeString(root.resolve("dir/app.lua"), ENV_APP);
        Files.writeString(root.resolve("dir/index.html"), "index page");
        Files.writeString(root.resolve("page.txt"), "static text");
        Files.writeString(root.resolve(".secret.lua"), ENV_APP);
        Files.writeString(tmp.resolve("outside.lua"), "error('TOP SECRET')");
        Files.writeString(tmp.resolve("outside.txt"), "TOP SECRET");
        Files.createSymbolicLink(root.resolve("link.lua"), tmp.resolve("outside.lua"));
    }

    record Answer(int status, List<Header> headers, String body) {
        Map<String, String> env() {
            Map<String, String> m = new HashMap<>();
            for (String line : body.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1));
            }
            return m;
        }

        String header(String name) {
            for (Header h : headers) if (h.name().equalsIgnoreCase(name)) return h.value();
            return null;
        }
    }

    private static Answer serve(Path target, WsapiRequest request) throws Exception {
        WsapiHost host = new WsapiHost(HostConfig.of(target).withInstances(1));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<Header> headers = new ArrayList<>();
        int[] status = {0};
        host.handle(request, new ResponseSink() {
            @Override public void start(int s, String reason, List<Header> h, long length, boolean headOnly) {
                status[0] = s;
                headers.addAll(h);
            }
            @Override public void write(byte[] b, int off, int len) { body.write(b, off, len); }
            @Override public void flush() {}
            @Override public void finish() {}
            @Override public void abort(Throwable cause) { status[0] = -1; }
        });
        return new Answer(status[0], headers, body.toString(StandardCharsets.UTF_8));
    }

    private static WsapiRequest request(String rawPath, WsapiRequest.FrontEnd frontEnd) {
        return WsapiRequest.builder("GET", rawPath).frontEnd(frontEnd).build();
    }

    @Test
    void theFrontEndsSplitRunsTheScriptItNames() throws Exception {
        String file = root.resolve("dir/app.lua").toString();
        Answer a = serve(root, request("/dir/app.lua/a%20b",
                new WsapiRequest.FrontEnd("/dir/app.lua", "/a b", file, "/srv/www", "/dir/app.lua/a%20b?x=1")));
        assertEquals(200, a.status(), a.body());
        Map<String, String> env = a.env();
        assertEquals("/dir/app.lua", env.get("SCRIPT_NAME"));
        assertEquals("/a b", env.get("PATH_INFO"));
        assertEquals(file, env.get("SCRIPT_FILENAME"));
        assertEquals("/srv/www", env.get("DOCUMENT_ROOT"), "DOCUMENT_ROOT is the front end's");
        assertEquals("/dir/app.lua/a%20b?x=1", env.get("REQUEST_URI"), "REQUEST_URI is the front end's");
    }

    @Test
    void withoutScriptFilenameTheScriptNameIsLookedUpUnderTheRoot() throws Exception {
        Answer a = serve(root, request("/dir/app.lua", new WsapiRequest.FrontEnd("/dir/app.lua", "", null, null, null)));
        assertEquals(200, a.status(), a.body());
        assertEquals("/", a.env().get("PATH_INFO"), "an empty PATH_INFO reads as /");
        assertEquals(root.toRealPath().toString(), Path.of(a.env().get("DOCUMENT_ROOT")).toRealPath().toString());
    }

    @Test
    void aMountedAppGetsTheFrontEndsSplit() throws Exception {
        Path app = root.resolve("dir/app.lua");
        Map<String, String> env = serve(app, request("/shop/items/3",
                new WsapiRequest.FrontEnd("/shop", "/items/3", "/anything", null, null))).env();
        assertEquals("/shop", env.get("SCRIPT_NAME"));
        assertEquals("/items/3", env.get("PATH_INFO"));
        env = serve(app, request("/shop/items/3", new WsapiRequest.FrontEnd("/shop/items/3", null, null, null, null))).env();
        assertEquals("", env.get("SCRIPT_NAME"), "no PATH_INFO from the front end: no split to take");
        assertEquals("/shop/items/3", env.get("PATH_INFO"));
    }

    @Test
    void withoutASplitThePathIsWalkedAsBefore() throws Exception {
        Answer a = serve(root, request("/dir/app.lua/x",
                new WsapiRequest.FrontEnd("/dir/app.lua/x", null, root.resolve("dir/app.lua/x").toString(), null, null)));
        assertEquals(200, a.status(), a.body());
        assertEquals("/dir/app.lua", a.env().get("SCRIPT_NAME"));
        assertEquals("/x", a.env().get("PATH_INFO"));
        a = serve(root, WsapiRequest.builder("GET", "/dir/app.lua/x").queryString("q").build());
        assertEquals("/dir/app.lua/x?q", a.env().get("REQUEST_URI"), "computed when no front end says");
    }

    @Test
    void aSplitThatNamesNoFileFallsBackToWalking() throws Exception {
        // a folder: index handling and the trailing-slash redirect still apply
        Answer a = serve(root, request("/dir/", new WsapiRequest.FrontEnd("/dir/", "", root + "/dir/", null, null)));
        assertEquals(200, a.status());
        assertEquals("index page", a.body());
        a = serve(root, request("/dir", new WsapiRequest.FrontEnd("/dir", "", root + "/dir", null, null)));
        assertEquals(301, a.status());
        assertEquals("/dir/", a.header("Location"));
        // a greedy split past the real script
        a = serve(root, request("/dir/app.lua/more.lua/x",
                new WsapiRequest.FrontEnd("/dir/app.lua/more.lua", "/x", root + "/dir/app.lua/more.lua", null, null)));
        assertEquals(200, a.status(), a.body());
        assertEquals("/dir/app.lua", a.env().get("SCRIPT_NAME"));
        assertEquals("/more.lua/x", a.env().get("PATH_INFO"));
        assertEquals(404, serve(root, request("/missing.lua/x",
                new WsapiRequest.FrontEnd("/missing.lua", "/x", root + "/missing.lua", null, null))).status());
    }

    @Test
    void staticFilesNamedByTheFrontEnd() throws Exception {
        Answer a = serve(root, request("/page.txt", new WsapiRequest.FrontEnd("/page.txt", "", root + "/page.txt", null, null)));
        assertEquals(200, a.status());
        assertEquals("static text", a.body());
        assertEquals(404, serve(root, request("/page.txt/x",
                new WsapiRequest.FrontEnd("/page.txt", "/x", root + "/page.txt", null, null))).status());
    }

    @Test
    void filesOutsideTheRootAreRefused() throws Exception {
        for (String named : List.of(tmp.resolve("outside.lua").toString(), tmp.resolve("outside.txt").toString(),
                root + "/../outside.lua", root.resolve("link.lua").toString())) {
            Answer a = serve(root, request("/x.lua", new WsapiRequest.FrontEnd("/x.lua", "", named, null, null)));
            assertEquals(404, a.status(), named);
            assertFalse(a.body().contains("TOP SECRET"), named);
        }
        Answer a = serve(root, request("/link.lua", new WsapiRequest.FrontEnd("/link.lua", "", null, null, null)));
        assertEquals(404, a.status());
    }

    @Test
    void hiddenFilesAndDotSegmentsAreRefused() throws Exception {
        assertEquals(404, serve(root, request("/.secret.lua",
                new WsapiRequest.FrontEnd("/.secret.lua", "", root + "/.secret.lua", null, null))).status());
        assertEquals(400, serve(root, request("/dir/app.lua",
                new WsapiRequest.FrontEnd("/dir/app.lua", "/../../outside.txt", root + "/dir/app.lua", null, null))).status());
        assertEquals(400, serve(root, request("/dir/app.lua",
                new WsapiRequest.FrontEnd("/dir/../../outside.lua", "/", null, null, null))).status());
        Answer a = serve(root.resolve("dir/app.lua"), request("/",
                new WsapiRequest.FrontEnd("", "/a/\u0000", null, null, null)));
        assertEquals(400, a.status());
    }

    @Test
    void aRequestWithoutAValidMethodIs400() throws Exception {
        for (String method : List.of("", "GET /x", "G\u00e9T")) {
            Answer a = serve(root, WsapiRequest.builder(method, "/dir/app.lua").build());
            assertEquals(400, a.status(), "method '" + method + "'");
            assertTrue(a.body().contains("method"), a.body());
        }
    }
}
