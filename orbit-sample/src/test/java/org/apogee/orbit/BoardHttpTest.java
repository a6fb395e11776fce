package org.apogee.orbit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apogee.core.HostConfig;
import org.apogee.core.WsapiHost;
import org.apogee.core.lua.LuaRuntime;
import org.apogee.core.lua.LuaSpecNodes;
import org.apogee.lapps.LappsConfig;
import org.apogee.lapps.LappsHost;
import org.apogee.lapps.json.Cbor;
import org.apogee.lapps.json.Json;
import org.apogee.lapps.undertow.LappsUndertowHandler;
import org.apogee.server.undertow.UndertowServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Orbit Board sample (app/) served as {@code apogee serve --lapps app/lapps.json app/board.lua}
 * wires it: the app over real HTTP on Undertow, its LAppS services on the same port. A card created
 * through the HTML form reaches a browser-like WebSocket client as a live event, through the
 * database, the live_poller service and the /live service.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BoardHttpTest {

    @TempDir
    static Path dir;

    private static LappsHost services;
    private static UndertowServer server;
    private static URI base;

    @BeforeAll
    static void start() throws Exception {
        Path app = dir.resolve("app");
        // the app's files without run-time data (as the WAR packs them)
        LuaSpecNodes.copy(Path.of("app"), app, relative -> !relative.startsWith("data"));
        // both read board.config with an empty environment: data in app/data, a generated secret
        services = LappsHost.start(LappsConfig.load(app.resolve("lapps.json")), LappsHost.Options.defaults());
        HostConfig config = HostConfig.of(app.resolve("board.lua")).withInstances(2)
                .withAcquireTimeout(Duration.ofSeconds(10)).withLua(LuaRuntime.Options.defaults());
        server = UndertowServer.start(new WsapiHost(config), "127.0.0.1", 0, next -> new LappsUndertowHandler(services, next));
        base = URI.create("http://127.0.0.1:" + server.port() + "/");
    }

    @AfterAll
    static void stop() {
        if (services != null) services.stop(Duration.ofSeconds(5));
        if (server != null) server.stop(Duration.ofSeconds(5));
    }

    /** A browser: keeps cookies, does not follow redirects. */
    private static HttpClient browser() {
        return HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpResponse<String> get(HttpClient client, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postForm(HttpClient client, String path, String form) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String token(HttpClient client, String path) throws Exception {
        HttpResponse<String> page = get(client, path);
        assertEquals(200, page.statusCode(), page.body());
        Matcher m = Pattern.compile("name=\"csrf_token\" value=\"([^\"]+)\"").matcher(page.body());
        assertTrue(m.find(), "no CSRF token on " + path + ": " + page.body());
        return m.group(1);
    }

    /** A multipart/form-data body: text fields, then one file. */
    private static byte[] multipart(String boundary, Map<String, String> fields, String fileName, byte[] file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fields.forEach((name, value) -> out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\""
                + name + "\"\r\n\r\n" + value + "\r\n").getBytes(StandardCharsets.UTF_8)));
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"" + fileName
                + "\"\r\nContent-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** A WebSocket client that collects whole binary messages. */
    private static final class Messages implements WebSocket.Listener {
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            partial.writeBytes(bytes);
            if (last) {
                received.add(partial.toByteArray());
                partial.reset();
            }
            ws.request(1);
            return null;
        }

        /** The next event sent on the board's channel (cid 7), or fails after the timeout. */
        @SuppressWarnings("unchecked")
        Map<String, Object> nextEvent(Duration timeout) throws Exception {
            byte[] bytes = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(bytes, "no live event within " + timeout);
            Map<String, Object> message = (Map<String, Object>) Cbor.decode(bytes);
            assertEquals(7.0, ((Number) message.get("cid")).doubleValue(), message.toString());
            List<Object> events = (List<Object>) message.get("message");
            return (Map<String, Object>) events.get(0);
        }
    }

    @Test
    void anonymousReadersSeeTheBoardAndItsAssets() throws Exception {
        HttpClient client = browser();
        HttpResponse<String> home = get(client, "/");
        assertEquals(200, home.statusCode(), home.body());
        assertTrue(home.body().contains("<ul id=\"cards\">"), home.body());
        assertTrue(home.body().contains("id=\"live-status\""), home.body());
        assertEquals(200, get(client, "/static/board.js").statusCode());
        assertEquals(200, get(client, "/static/lapps.js").statusCode());
        assertEquals(404, get(client, "/cards/123456").statusCode());
    }

    @Test
    void aCardCreatedOverHttpReachesTheLiveViewOverAWebSocket() throws Exception {
        HttpClient client = browser();
        String signup = token(client, "/signup");
        HttpResponse<String> r = postForm(client, "/signup", "csrf_token=" + signup + "&username=juno&password=correct+horse");
        assertEquals(303, r.statusCode(), r.body());
        assertEquals("/", r.headers().firstValue("Location").orElse(""));

        // a browser on the board subscribes to the live view and waits for the acknowledgement
        Messages live = new Messages();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/live"), live).get(10, TimeUnit.SECONDS);
        Json.JsonObject subscribe = new Json.JsonObject();
        subscribe.put("lapps", 1L);
        subscribe.put("method", "subscribe");
        subscribe.put("cid", 7L);
        ws.sendBinary(ByteBuffer.wrap(Cbor.encode(subscribe)), true).get(5, TimeUnit.SECONDS);
        assertEquals("subscribed", live.nextEvent(Duration.ofSeconds(10)).get("kind"));

        // another user's form post creates a card with an attachment
        byte[] file = "orbit notes\n\\ and \u00e9\n".getBytes(StandardCharsets.UTF_8);
        String boundary = "----board-http-test";
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("csrf_token", token(client, "/"));
        fields.put("title", "Launch <day>");
        byte[] body = multipart(boundary, fields, "notes.txt", file);
        r = client.send(HttpRequest.newBuilder(base.resolve("/cards")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(303, r.statusCode(), r.body());

        Map<String, Object> event = live.nextEvent(Duration.ofSeconds(10));
        assertEquals("created", event.get("kind"), event.toString());
        assertEquals("Launch <day>", event.get("title"));
        assertEquals("juno", event.get("author"));
        assertEquals("notes.txt", event.get("file"));
        long id = ((Number) event.get("id")).longValue();

        HttpResponse<String> home = get(client, "/");
        assertTrue(home.body().contains("<li class=\"card\" data-id=\"" + id + "\">"), home.body());
        assertTrue(home.body().contains("Launch &lt;day&gt;"), home.body());

        HttpResponse<byte[]> download = client.send(HttpRequest.newBuilder(base.resolve("/cards/" + id + "/file")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, download.statusCode());
        assertArrayEquals(file, download.body());
        assertEquals("nosniff", download.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertTrue(download.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment; filename=\"notes.txt\""));

        // deleting it is seen live too
        r = postForm(client, "/cards/" + id + "/delete", "csrf_token=" + token(client, "/"));
        assertEquals(303, r.statusCode(), r.body());
        event = live.nextEvent(Duration.ofSeconds(10));
        assertEquals("deleted", event.get("kind"), event.toString());
        assertEquals(id, ((Number) event.get("id")).longValue());

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    }
}
