package org.apogee.orbit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.apogee.core.HostConfig;
import org.apogee.core.WsapiHost;
import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaSpecNodes;
import org.apogee.server.undertow.UndertowServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Orbit app in the style of Orbit's own documentation (htmlify, pattern captures, web.input,
 * orbit.routes, a model on SQLite, static files) served over real HTTP by the standalone server.
 */
class OrbitHttpTest {

    @TempDir
    static Path dir;

    private static UndertowServer server;
    private static URI base;
    private static final HttpClient client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        LuaSpecNodes.copy(Path.of("src/test/apps/hello"), dir);
        HostConfig config = HostConfig.of(dir.resolve("hello.lua")).withInstances(2)
                .withAcquireTimeout(Duration.ofSeconds(5)).withDebug(true)
                .withLua(LuaRuntime.Options.defaults());
        server = UndertowServer.start(new WsapiHost(config), "127.0.0.1", 0);
        base = URI.create("http://127.0.0.1:" + server.port() + "/");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop(Duration.ofSeconds(5));
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String form) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void helloWithHtmlify() throws Exception {
        HttpResponse<String> r = get("/");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("<html><head><title>Hello</title></head><body><p class=\"hello\">Hello World!</p></body></html>", r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertEquals(r.body(), get("/index").body());
    }

    @Test
    void captureAndInput() throws Exception {
        HttpResponse<String> r = get("/say/World?greeting=Howdy+");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("<p class=\"hello\">Howdy World!</p>"), r.body());
        assertTrue(get("/say/Ann").body().contains("Hello Ann!"));
        assertEquals(404, get("/say/123").statusCode());
    }

    @Test
    void routes() throws Exception {
        assertTrue(get("/hello/Big%20World").body().contains("<p class=\"route\">Hello, Big World!</p>"), get("/hello/Big%20World").body());
        assertTrue(get("/hi/a/b/c").body().contains("splat: a/b/c"));
        assertTrue(get("/hey").body().contains("hey stranger"));
        assertTrue(get("/hey/bob").body().contains("hey bob"));
    }

    @Test
    void modelThroughForms() throws Exception {
        HttpResponse<String> created = post("/greetings", "name=O%27Brien+%3Cb%3E&message=Hi+%3Cthere%3E");
        assertEquals(302, created.statusCode(), created.body());
        String location = created.headers().firstValue("Location").orElseThrow();
        assertTrue(location.matches("/greetings/\\d+"), location);
        HttpResponse<String> shown = get(location);
        assertEquals(200, shown.statusCode(), shown.body());
        assertTrue(shown.body().contains("<p>Hi &lt;there&gt;</p>"), shown.body());
        assertTrue(get("/greetings").body().contains("href=\"" + location + "\""), get("/greetings").body());
        assertEquals(400, post("/greetings", "name=+").statusCode());
        assertEquals(404, get("/greetings/999999").statusCode());
        assertTrue(Files.size(dir.resolve("hello.db")) > 0);
    }

    @Test
    void staticFiles() throws Exception {
        HttpResponse<String> css = get("/static/site.css");
        assertEquals(200, css.statusCode(), css.body());
        assertEquals("text/css", css.headers().firstValue("Content-Type").orElse(""));
        assertEquals("body { color: green }\n", css.body());
        assertEquals(404, get("/static/missing.css").statusCode());
    }
}
