package org.apogee.server.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apogee.core.HostConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every server adapter must show, over real HTTP on loopback. An adapter's test
 * class extends this and says how to start its server; the expectations are the same for all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class WsapiBehaviourSuite {

    protected abstract ServerUnderTest server();

    /** The servlet API cannot send an app's own reason phrase; servlet-based adapters say false. */
    protected boolean sendsReasonPhrase() {
        return true;
    }

    /**
     * The client the suite sends its requests with. Plain adapters use HTTP/1.1; a TLS fixture
     * returns one that trusts its test certificate (and may negotiate HTTP/2).
     */
    protected HttpClient httpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The SERVER_PROTOCOL requests sent by {@link #httpClient()} arrive with. */
    protected String expectedProtocol() {
        return "HTTP/1.1";
    }

    private ServerUnderTest.Running running;
    private HttpClient client;

    /** The server started once for the whole class (document root {@code tck/www}). */
    protected ServerUnderTest.Running running() {
        return running;
    }

    protected static Path docRoot() {
        try {
            return Path.of(WsapiBehaviourSuite.class.getResource("/tck/www").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    protected static HostConfig config(Path target) {
        return HostConfig.of(target).withInstances(2).withAcquireTimeout(Duration.ofSeconds(5));
    }

    @BeforeAll
    void startDefaultServer() throws Exception {
        running = server().start(config(docRoot()));
        client = httpClient();
    }

    @AfterAll
    void stopDefaultServer() {
        if (running != null) running.close();
    }

    /** The mount path of the base URI without its trailing slash ("" at the root). */
    private static String mount(ServerUnderTest.Running r) {
        String p = r.base().getPath();
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private HttpResponse<String> get(ServerUnderTest.Running r, String relative) throws Exception {
        return client.send(HttpRequest.newBuilder(r.base().resolve(relative)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
    }

    private HttpResponse<String> get(String relative) throws Exception {
        return get(running, relative);
    }

    private static Map<String, String> lines(String body) {
        Map<String, String> m = new HashMap<>();
        for (String line : body.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return m;
    }

    @Test
    void envCarriesCgiVariablesHeadersAndBody() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(running.base().resolve("env.lua/some/path?a=1&b=two%20words"))
                .header("X-Custom-Thing", "hello")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=value&x=y"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        Map<String, String> env = lines(r.body());
        assertEquals("POST", env.get("REQUEST_METHOD"));
        assertEquals("a=1&b=two%20words", env.get("QUERY_STRING"));
        assertEquals("application/x-www-form-urlencoded", env.get("CONTENT_TYPE"));
        assertEquals("14", env.get("CONTENT_LENGTH"));
        assertEquals(mount(running) + "/env.lua", env.get("SCRIPT_NAME"));
        assertEquals("/some/path", env.get("PATH_INFO"));
        assertEquals("127.0.0.1", env.get("SERVER_NAME"));
        assertEquals(String.valueOf(running.port()), env.get("SERVER_PORT"));
        assertEquals(expectedProtocol(), env.get("SERVER_PROTOCOL"));
        assertTrue(env.get("SERVER_SOFTWARE").startsWith("Apogee"), env.get("SERVER_SOFTWARE"));
        assertEquals("CGI/1.1", env.get("GATEWAY_INTERFACE"));
        assertEquals("127.0.0.1", env.get("REMOTE_ADDR"));
        assertTrue(Integer.parseInt(env.get("REMOTE_PORT")) > 0);
        assertEquals(mount(running) + "/env.lua/some/path?a=1&b=two%20words", env.get("REQUEST_URI"));
        assertTrue(env.get("SCRIPT_FILENAME").endsWith("/env.lua"), env.get("SCRIPT_FILENAME"));
        assertEquals("https".equals(running.base().getScheme()) ? "on" : "", env.get("HTTPS"), "HTTPS is on exactly over TLS");
        assertEquals("", env.get("NO_SUCH_VARIABLE"), "unknown variables read as the empty string");
        assertEquals("hello", env.get("HTTP_X_CUSTOM_THING"));
        assertEquals("127.0.0.1:" + running.port(), env.get("HTTP_HOST"));
        assertEquals("name=value&x=y", env.get("BODY"));
        assertEquals("nil", env.get("EOF"), "input:read returns nil at the end of the body");
    }

    @Test
    void pathInfoIsAtLeastSlashAndPercentDecoded() throws Exception {
        Map<String, String> env = lines(get("env.lua").body());
        assertEquals("/", env.get("PATH_INFO"));
        assertEquals(mount(running) + "/env.lua", env.get("SCRIPT_NAME"));
        env = lines(get("env.lua/a%20b/c%2Fd").body());
        assertEquals("/a b/c/d", env.get("PATH_INFO"));
    }

    @Test
    void documentRootModeSplitsScriptNameAndPathInfo() throws Exception {
        Map<String, String> env = lines(get("dir/split.lua/x/y/").body());
        assertEquals(mount(running) + "/dir/split.lua", env.get("SCRIPT_NAME"));
        assertEquals("/x/y/", env.get("PATH_INFO"));
    }

    @Test
    void appModeMountsTheAppAtTheRoot() throws Exception {
        try (ServerUnderTest.Running app = server().start(config(docRoot().resolve("dir/split.lua")))) {
            Map<String, String> env = lines(get(app, "hello/world").body());
            assertEquals(mount(app), env.get("SCRIPT_NAME"));
            assertEquals("/hello/world", env.get("PATH_INFO"));
            env = lines(get(app, "").body());
            assertEquals("/", env.get("PATH_INFO"));
        }
    }

    @Test
    void repeatedRequestHeadersAreJoined() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(running.base().resolve("env.lua"))
                .header("X-Multi", "one").header("X-Multi", "two")
                .header("Cookie", "a=1").header("Cookie", "b=2")
                .build(), HttpResponse.BodyHandlers.ofString());
        Map<String, String> env = lines(r.body());
        assertEquals("one, two", env.get("HTTP_X_MULTI"));
        assertEquals("a=1; b=2", env.get("HTTP_COOKIE"));
    }

    @Test
    void multiValuedResponseHeadersAndAnyStatus() throws Exception {
        HttpResponse<String> r = get("headers.lua");
        assertEquals(201, r.statusCode());
        assertEquals(List.of("a=1; Path=/", "b=2; HttpOnly"), r.headers().allValues("Set-Cookie"));
        assertEquals("42", r.headers().firstValue("X-Count").orElseThrow());
        assertEquals("made", r.body());
        assertEquals(418, get("status.lua?teapot").statusCode());
        assertEquals(422, get("status.lua?number").statusCode());
        assertEquals(308, get("status.lua?numeric").statusCode());
        assertEquals(200, get("status.lua?ok").statusCode());
        String raw = RawHttp.exchange(running, "GET " + mount(running) + "/status.lua?teapot HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(raw.startsWith(sendsReasonPhrase() ? "HTTP/1.1 418 I'm a teapot\r\n" : "HTTP/1.1 418 "), raw);
    }

    @Test
    void headerValuesWithCrLfAreRefused() throws Exception {
        HttpResponse<String> r = get("badheader.lua");
        assertEquals(500, r.statusCode());
        assertTrue(r.headers().allValues("Set-Cookie").isEmpty());
        assertTrue(r.headers().firstValue("X-Injected").isEmpty());
    }

    @Test
    void streamsTheFirstChunkBeforeTheIteratorFinishes() throws Exception {
        try (RawHttp http = new RawHttp(running.connect())) {
            http.send("POST " + mount(running) + "/stream.lua HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n");
            StringBuilder seen = new StringBuilder();
            String head = http.readUntil("first\n", seen);
            assertTrue(head.contains("200"), head);
            assertTrue(head.contains("first\n"), "the first chunk arrived while the app still waits for the body");
            assertFalse(head.contains("second"), head);
            http.send("hello");
            String rest = http.readUntil("\r\n0\r\n\r\n", seen);
            assertTrue(rest.contains("second:hello"), rest);
            assertTrue(rest.toLowerCase().contains("transfer-encoding: chunked"), rest);
        }
    }

    @Test
    void headRequestsSendNoBody() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(running.base().resolve("headers.lua"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode());
        assertEquals("", r.body());
        assertEquals(List.of("a=1; Path=/", "b=2; HttpOnly"), r.headers().allValues("Set-Cookie"));
        // the connection stays usable: no stray body bytes
        String raw = RawHttp.exchange(running, "HEAD " + mount(running) + "/env.lua HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET " + mount(running) + "/headers.lua HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(2, raw.split("HTTP/1.1 ", -1).length - 1, raw);
        assertTrue(raw.endsWith("made") || raw.contains("\r\n4\r\nmade\r\n"), raw);
    }

    @Test
    void errorBeforeHeadersGivesA500WithoutDetails() throws Exception {
        for (String app : List.of("raise.lua", "error_before.lua", "exit.lua")) {
            HttpResponse<String> r = get(app);
            assertEquals(500, r.statusCode(), app);
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
            assertFalse(r.body().contains("boom"), "no details outside debug mode");
            assertFalse(r.body().contains(".lua:"), "no file names outside debug mode");
        }
        assertEquals(201, get("headers.lua").statusCode(), "the server keeps serving");
    }

    @Test
    void debugModeShowsTheErrorWithFileAndLine() throws Exception {
        try (ServerUnderTest.Running dbg = server().start(config(docRoot()).withDebug(true))) {
            HttpResponse<String> r = get(dbg, "raise.lua");
            assertEquals(500, r.statusCode());
            assertTrue(r.body().contains("raise.lua:2: boom before the headers"), r.body());
            assertTrue(r.body().contains("stack traceback:"), r.body());
            r = get(dbg, "syntax_error.lua");
            assertEquals(500, r.statusCode());
            assertTrue(r.body().contains("syntax_error.lua:2"), r.body());
            r = get(dbg, "notapp.lua");
            assertEquals(500, r.statusCode());
            assertTrue(r.body().contains("not a WSAPI application"), r.body());
        }
    }

    @Test
    void errorAfterHeadersEndsTheResponseCleanly() throws Exception {
        HttpResponse<String> r = get("error_after.lua");
        assertEquals(200, r.statusCode());
        assertEquals("partial ", r.body());
        assertEquals(201, get("headers.lua").statusCode(), "the server keeps serving");
    }

    @Test
    void syntaxErrorInOneAppDoesNotStopOthers() throws Exception {
        assertEquals(500, get("syntax_error.lua").statusCode());
        assertEquals(201, get("headers.lua").statusCode());
    }

    @Test
    void missingAppsAndFilesAre404() throws Exception {
        assertEquals(404, get("nothing-here.lua").statusCode());
        assertEquals(404, get("nothing/here.lua/x").statusCode());
        assertEquals(404, get("static/missing.txt").statusCode());
        assertEquals(404, get("static/.hidden").statusCode());
    }

    @Test
    void staticFilesAreServedWithTypes() throws Exception {
        HttpResponse<String> r = get("static/hello.txt");
        assertEquals(200, r.statusCode());
        assertEquals("plain text file\n", r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
        String lastModified = r.headers().firstValue("Last-Modified").orElseThrow();
        HttpResponse<String> again = client.send(HttpRequest.newBuilder(running.base().resolve("static/hello.txt"))
                .header("If-Modified-Since", lastModified).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(304, again.statusCode());
        r = get("static/");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("index"));
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
    }

    @Test
    void pathTraversalIsRefused() throws Exception {
        String m = mount(running);
        for (String target : List.of(m + "/../secret.txt", m + "/static/../../secret.txt", m + "/%2e%2e/secret.txt",
                m + "/static/%2E%2E/%2e%2e/secret.txt", m + "/static/..%2f..%2fsecret.txt", m + "/env.lua/../../secret.txt")) {
            String raw = RawHttp.exchange(running, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertFalse(raw.contains("TOP SECRET"), target + " leaked: " + raw);
            assertTrue(raw.startsWith("HTTP/1.1 400") || raw.startsWith("HTTP/1.1 404"), target + ": " + raw);
        }
    }

    @Test
    void bytesSurviveBothWays() throws Exception {
        byte[] body = new byte[256];
        for (int i = 0; i < 256; i++) body[i] = (byte) i;
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(running.base().resolve("binary.lua/caf%C3%A9?q=%FF%FE"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        byte[] got = r.body();
        byte[] expectedPrefix = new byte[256];
        for (int i = 0; i < 256; i++) expectedPrefix[i] = (byte) i;
        assertArrayEquals(expectedPrefix, java.util.Arrays.copyOf(got, 256));
        byte[] tail = java.util.Arrays.copyOfRange(got, 256, got.length);
        byte[] expectedTail = concat("q=%FF%FE|/caf\u00c3\u00a9|".getBytes(StandardCharsets.ISO_8859_1), body);
        assertArrayEquals(expectedTail, tail);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aBusyPoolAnswers503WithRetryAfter() throws Exception {
        HostConfig one = config(docRoot()).withInstances(1).withAcquireTimeout(Duration.ofMillis(300));
        try (ServerUnderTest.Running s = server().start(one); RawHttp holder = new RawHttp(s.connect())) {
            // the first request takes the only state and keeps it while its body has not arrived
            holder.send("POST " + mount(s) + "/hold.lua HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n");
            HttpResponse<String> busy = null;
            for (int i = 0; i < 50; i++) {
                busy = get(s, "hold.lua");
                if (busy.statusCode() == 503) break;
                Thread.sleep(50);
            }
            assertNotNull(busy);
            assertEquals(503, busy.statusCode());
            assertTrue(busy.headers().firstValue("Retry-After").isPresent());
            holder.send("DONE");
            String held = holder.readUntil("held:DONE", new StringBuilder());
            assertTrue(held.contains("held:DONE"), held);
            HttpResponse<String> after = client.send(HttpRequest.newBuilder(s.base().resolve("hold.lua"))
                    .POST(HttpRequest.BodyPublishers.ofString("next")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, after.statusCode(), "the state is free again");
        }
    }

    @Test
    void reloadPicksUpAChangedAppFile(@TempDir Path dir) throws Exception {
        Path app = dir.resolve("app.lua");
        Files.writeString(app, appReturning("one"));
        try (ServerUnderTest.Running cached = server().start(config(dir));
             ServerUnderTest.Running reloading = server().start(config(dir).withReload(true))) {
            assertEquals("one", get(cached, "app.lua").body());
            assertEquals("one", get(reloading, "app.lua").body());
            Files.writeString(app, appReturning("two"));
            Files.setLastModifiedTime(app, FileTime.from(Instant.now().plusSeconds(5)));
            Thread.sleep(250);
            assertEquals("two", get(reloading, "app.lua").body());
            assertEquals("one", get(cached, "app.lua").body(), "without --reload the app stays cached");
        }
    }

    private static String appReturning(String text) {
        return "return function(env) return 200, {}, coroutine.wrap(function() coroutine.yield('" + text + "') end) end\n";
    }

    @Test
    void aTenMegabyteBodyIsReadInPieces() throws Exception {
        byte[] body = new byte[10 * 1024 * 1024];
        long sum = 0;
        for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 31 + 7);
        for (int i = 0; i < body.length; i += 4096) sum = (sum + (body[i] & 0xff)) % 4294967296L;
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(running.base().resolve("count.lua"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(body.length + " " + sum, r.body());
    }

    @Test
    void oversizedBodiesAre413() throws Exception {
        try (ServerUnderTest.Running s = server().start(config(docRoot()).withMaxBodyBytes(1000))) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(s.base().resolve("count.lua"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[5000])).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(413, r.statusCode());
            // chunked, so the length is only known while reading
            r = client.send(HttpRequest.newBuilder(s.base().resolve("count.lua"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[5000])))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(413, r.statusCode());
            assertEquals(200, client.send(HttpRequest.newBuilder(s.base().resolve("count.lua"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[500])).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void concurrentRequestsAllSucceed() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(client.sendAsync(HttpRequest.newBuilder(running.base().resolve("env.lua/n" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < all.size(); i++) {
            HttpResponse<String> r = all.get(i).get();
            assertEquals(200, r.statusCode());
            assertEquals("/n" + i, lines(r.body()).get("PATH_INFO"));
        }
    }

    @Test
    void appsUsingRingsKeepTheirGlobalsApart() throws Exception {
        for (int i = 0; i < 6; i++) {
            String app = i % 2 == 0 ? "rings_a" : "rings_b";
            HttpResponse<String> r = get(app + ".lua");
            assertEquals(200, r.statusCode(), r.body());
            Map<String, String> seen = lines(r.body());
            assertEquals(app, seen.get("state_owner"), r.body());
            assertEquals(app, seen.get("ring_owner"), r.body());
            assertEquals("state of " + app, seen.get("state_method"), r.body());
            assertEquals("ring of " + app, seen.get("ring_method"), r.body());
            assertEquals("nil", seen.get("state_sees_other"), r.body());
            assertEquals("nil", seen.get("ring_sees_other"), r.body());
            assertEquals("nil", seen.get("state_sees_own_ring"), r.body());
            assertEquals(seen.get("state_hits"), seen.get("ring_hits"), "one ring per instance, used by its requests only");
        }
    }

    /** Apogee's wsapi.common, which the ringer runs the app with inside the ring. */
    private static boolean hasWsapiCommon() {
        return WsapiBehaviourSuite.class.getResource("/lua/wsapi/common.lua") != null;
    }

    @Test
    void theRingerServesARequestFromInsideARing() throws Exception {
        Assumptions.assumeTrue(hasWsapiCommon(), "needs wsapi.common");
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(running.base().resolve("ringer.lua/in/the/ring?x=1"))
                .POST(HttpRequest.BodyPublishers.ofString("posted body")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertEquals(List.of("ring=1; Path=/", "other=2"), r.headers().allValues("Set-Cookie"));
        Map<String, String> seen = lines(r.body());
        assertEquals("/in/the/ring", seen.get("PATH_INFO"));
        assertEquals(mount(running) + "/ringer.lua", seen.get("SCRIPT_NAME"));
        assertEquals("x=1", seen.get("QUERY_STRING"));
        assertEquals("posted body", seen.get("BODY"));
        assertEquals("[]", seen.get("UNDEFINED"));
        assertEquals("nil", seen.get("MASTER_MARKER"), "the app runs in its own globals");
        assertTrue(r.body().endsWith("END\n"), r.body());
        int first = Integer.parseInt(seen.get("REQUESTS"));
        int second = Integer.parseInt(lines(get("ringer.lua").body()).get("REQUESTS"));
        assertTrue(first >= 1 && second >= 1, "the ring keeps its globals between requests");
        HttpResponse<String> failed = get("ringer.lua?fail");
        assertEquals(500, failed.statusCode());
        assertEquals(200, get("ringer.lua").statusCode(), "the ring is free again after a failure");
    }

    @Test
    void malformedRequestsGetAClearErrorAndTheServerGoesOn() throws Exception {
        String raw = RawHttp.exchange(running, "GET " + mount(running) + "/env.lua/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(raw.startsWith("HTTP/1.1 400"), raw);
        raw = RawHttp.exchange(running, "POST " + mount(running) + "/env.lua HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n");
        assertTrue(raw.startsWith("HTTP/1.1 400"), raw);
        raw = RawHttp.exchange(running, "THIS IS NOT HTTP\r\n\r\n");
        assertFalse(raw.startsWith("HTTP/1.1 2"), raw);
        assertEquals(201, get("headers.lua").statusCode());
    }

    // ---- apps written as Kepler's documentation writes them, on Apogee's wsapi.request/response

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return client.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
    }

    private HttpRequest.Builder at(ServerUnderTest.Running r, String relative) {
        return HttpRequest.newBuilder(r.base().resolve(relative));
    }

    private HttpRequest.Builder at(String relative) {
        return at(running, relative);
    }

    /** A multipart/form-data body; each part is {name, filename or null, content type or null, value}. */
    private static byte[] multipart(String boundary, String[]... parts) {
        StringBuilder sb = new StringBuilder();
        for (String[] p : parts) {
            sb.append("--").append(boundary).append("\r\n");
            sb.append("Content-Disposition: form-data; name=\"").append(p[0]).append('"');
            if (p[1] != null) sb.append("; filename=\"").append(p[1]).append('"');
            sb.append("\r\n");
            if (p[2] != null) sb.append("Content-Type: ").append(p[2]).append("\r\n");
            sb.append("\r\n").append(p[3]).append("\r\n");
        }
        sb.append("--").append(boundary).append("--\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static final String BOUNDARY = "----apogee-suite-4b1d";

    @Test
    void aKeplerStyleModuleAppServesPages() throws Exception {
        HttpResponse<String> r = get("kepler/hello.lua/?name=Ada%20L%3Cx%3E");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("<h1>Hello, Ada L&lt;x&gt;!</h1>"), r.body());
        assertTrue(r.body().contains("action=\"" + mount(running) + "/kepler/hello.lua/name\""), r.body());
        assertEquals(String.valueOf(r.body().length()), r.headers().firstValue("Content-Length").orElseThrow());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));

        r = send(at("kepler/hello.lua/").header("Cookie", "theme=dark; name=Bob+B%21"));
        assertTrue(r.body().contains("<h1>Hello, Bob B!!</h1>"), r.body());

        r = get("kepler/hello.lua/nothing/here");
        assertEquals(404, r.statusCode());
        assertTrue(r.body().contains("No page at /nothing/here"), r.body());
    }

    @Test
    void aKeplerStyleAppSetsCookiesAndRedirects() throws Exception {
        HttpResponse<String> r = send(at("kepler/hello.lua/name")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=Zo%C3%AB+Q")));
        assertEquals(302, r.statusCode(), r.body());
        assertEquals(mount(running) + "/kepler/hello.lua/", r.headers().firstValue("Location").orElseThrow());
        assertEquals(List.of("name=Zo%C3%AB+Q; path=/; HttpOnly"), r.headers().allValues("Set-Cookie"));
        assertEquals("0", r.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void wsapiAppPathIsSetBeforeTheAppFileRuns() throws Exception {
        Map<String, String> info = lines(get("kepler/hello.lua/info").body());
        String appPath = info.get("req.app_path");
        assertTrue(appPath.endsWith("/kepler"), appPath);
        assertEquals(appPath, info.get("wsapi.app_path"), "the global wsapi.app_path");
        assertEquals(appPath, info.get("require.app_path"), "require('wsapi').app_path");
        assertEquals(mount(running) + "/kepler/hello.lua", info.get("script_name"));
        assertEquals("/info", info.get("path_info"));
        assertEquals(mount(running) + "/kepler/hello.lua/x?q=a+b", info.get("link"));
        assertEquals(mount(running) + "/kepler/style.css", info.get("static"));
    }

    @Test
    void aReturnedModuleTableAppHandlesEveryMethod() throws Exception {
        HttpResponse<String> r = get("kepler/notes.lua?tag=a&tag=b%20c&sort=new");
        assertEquals("tags=a,b c sort=new\n", r.body());
        r = send(at("kepler/notes.lua").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("text=buy+milk")));
        assertEquals(201, r.statusCode());
        assertEquals(mount(running) + "/kepler/notes.lua/42", r.headers().firstValue("Location").orElseThrow());
        assertEquals("created: buy milk\n", r.body());
        // a chunked form (no Content-Length) is read to its end
        r = send(at("kepler/notes.lua").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream("text=chunked+form".getBytes(StandardCharsets.US_ASCII)))));
        assertEquals("created: chunked form\n", r.body());
        r = send(at("kepler/notes.lua/7").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"text\":\"x\"}")));
        assertEquals("replaced 7 with 12 bytes of application/json: {\"text\":\"x\"}\n", r.body());
        r = send(at("kepler/notes.lua/3").DELETE());
        assertEquals("deleted 3\n", r.body());
        assertEquals(404, send(at("kepler/notes.lua/x").DELETE()).statusCode());
    }

    @Test
    void uploadsAreParsedByWsapiRequest() throws Exception {
        byte[] body = multipart(BOUNDARY,
                new String[] {"title", null, null, "Two files"},
                new String[] {"doc", "C:\\Users\\me\\report.txt", "text/plain", "report contents"},
                new String[] {"doc", "photo.jpg", "image/jpeg", "\u00ff\u00d8\u00ff\u00e0JFIF\u0000"},
                new String[] {"tag", null, null, "a"},
                new String[] {"tag", null, null, "b"});
        HttpResponse<String> r = send(at("kepler/hello.lua/upload")
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("doc: file report.txt 15 bytes text/plain starting report c\n"
                + "doc: file photo.jpg 9 bytes image/jpeg starting \u00ff\u00d8\u00ff\u00e0JFIF\n"
                + "tag: a\ntag: b\ntitle: Two files\n", r.body());
    }

    @Test
    void malformedUploadsAre400() throws Exception {
        byte[] good = multipart(BOUNDARY, new String[] {"f", "a.txt", "text/plain", "x".repeat(5000)});
        HttpResponse<String> r = send(at("kepler/hello.lua/upload").header("Content-Type", "multipart/form-data")
                .POST(HttpRequest.BodyPublishers.ofByteArray(good)));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("boundary"), r.body());
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 100);
        r = send(at("kepler/hello.lua/upload").header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(truncated)));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("multipart"), r.body());
        assertEquals(201, get("headers.lua").statusCode(), "the server keeps serving");
    }

    @Test
    void uploadTemporaryFilesAreGoneWhenTheRequestEnds() throws Exception {
        byte[] content = new byte[300_000];
        for (int i = 0; i < content.length; i++) content[i] = (byte) ('a' + i % 26);
        byte[] body = multipart(BOUNDARY, new String[] {"note", null, null, "hi"},
                new String[] {"file", "big.txt", "text/plain", new String(content, StandardCharsets.ISO_8859_1)});
        HttpResponse<String> r = send(at("upload_sum.lua").header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertEquals(200, r.statusCode(), r.body());
        String[] parts = r.body().split(" ");
        long sum = 0;
        for (int i = 0; i < content.length; i += 4096) sum += content[i] & 0xff;
        assertEquals(List.of("big.txt", "300000", "300000", String.valueOf(sum), "hi"), List.of(parts).subList(0, 5));
        Path temp = Path.of(parts[5]);
        for (int i = 0; i < 100 && Files.exists(temp); i++) Thread.sleep(20);
        assertFalse(Files.exists(temp), "temporary file removed: " + temp);
    }

    @Test
    void oversizedUploadsAre413() throws Exception {
        byte[] body = multipart(BOUNDARY, new String[] {"file", "big.bin", null, "z".repeat(50_000)});
        try (ServerUnderTest.Running s = server().start(config(docRoot()).withMaxBodyBytes(20_000))) {
            HttpResponse<String> r = send(at(s, "upload_sum.lua").header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
            assertEquals(413, r.statusCode(), r.body());
            // chunked: the limit is found while the upload streams in
            r = send(at(s, "upload_sum.lua").header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
            assertEquals(413, r.statusCode(), r.body());
        }
    }

    // ---- a filter stack declared in an app file (tck/www/stack.lua), the same on every adapter

    private HttpResponse<String> stackGet(String relative, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(running.base().resolve("stack.lua/" + relative)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
    }

    private static String sessionCookie(HttpResponse<?> r) {
        for (String line : r.headers().allValues("Set-Cookie")) {
            if (line.startsWith("apogee_session=")) return line.substring(0, line.indexOf(';'));
        }
        return null;
    }

    @Test
    void aStackFileKeepsASessionAcrossRequests() throws Exception {
        HttpResponse<String> first = stackGet("count");
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("1", first.body());
        String cookie = sessionCookie(first);
        assertNotNull(cookie, "a session cookie: " + first.headers().map());
        String line = first.headers().allValues("Set-Cookie").get(0);
        assertTrue(line.contains("; HttpOnly") && line.contains("; SameSite=Lax") && line.contains("; Path=/"), line);
        assertEquals("2", stackGet("count", "Cookie", cookie).body());
        assertEquals("3", stackGet("count", "Cookie", "theme=dark; " + cookie).body());
        // a tampered cookie is a new session, not an error
        String tampered = cookie.substring(0, cookie.length() - 2) + (cookie.endsWith("A") ? "BB" : "AA");
        HttpResponse<String> fresh = stackGet("count", "Cookie", tampered);
        assertEquals(200, fresh.statusCode());
        assertEquals("1", fresh.body());
        assertNotNull(sessionCookie(fresh));
        assertFalse(cookie.equals(sessionCookie(fresh)));
    }

    @Test
    void aStackFileServesStaticFilesWithValidatorsAndRanges() throws Exception {
        HttpResponse<String> r = stackGet("files/hello.txt");
        assertEquals(200, r.statusCode());
        assertEquals("plain text file\n", r.body());
        String etag = r.headers().firstValue("ETag").orElseThrow();
        assertEquals(304, stackGet("files/hello.txt", "If-None-Match", etag).statusCode());
        HttpResponse<String> range = stackGet("files/hello.txt", "Range", "bytes=6-9");
        assertEquals(206, range.statusCode());
        assertEquals("text", range.body());
        assertEquals("bytes 6-9/16", range.headers().firstValue("Content-Range").orElseThrow());
        assertEquals(404, stackGet("files/.hidden").statusCode(), "hidden files go to the app, which has no such page");
        String raw = RawHttp.exchange(running.port(), "GET " + mount(running) + "/stack.lua/files/%2e%2e/secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertFalse(raw.contains("TOP SECRET"), raw);
    }

    @Test
    void aStackFileRefusesFormPostsWithoutTheirCsrfToken() throws Exception {
        HttpResponse<String> form = stackGet("form");
        String cookie = sessionCookie(form);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("value=\"([^\"]+)\"").matcher(form.body());
        assertTrue(m.find(), form.body());
        String token = m.group(1);
        URI uri = running.base().resolve("stack.lua/form");
        HttpResponse<String> refused = client.send(HttpRequest.newBuilder(uri).header("Cookie", cookie)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("a=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, refused.statusCode());
        HttpResponse<String> accepted = client.send(HttpRequest.newBuilder(uri).header("Cookie", cookie)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("a=1&csrf_token=" + token)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, accepted.statusCode(), accepted.body());
        assertEquals("posted:a=1&csrf_token=" + token, accepted.body());
    }

    @Test
    void aStackFileLogsEachRequestAndKeepsStreaming() throws Exception {
        try (RawHttp http = new RawHttp(running.connect())) {
            http.send("POST " + mount(running) + "/stack.lua/stream?mark-stream HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n");
            StringBuilder seen = new StringBuilder();
            String head = http.readUntil("first\n", seen);
            assertTrue(head.contains("first\n") && !head.contains("second"), "the first chunk arrived before the body was sent: " + head);
            http.send("hello");
            assertTrue(http.readUntil("second:hello", seen).contains("second:hello"));
        }
        String mark = "mark-" + System.nanoTime();
        assertEquals(404, stackGet("nowhere?" + mark).statusCode());
        String lines = "";
        for (int i = 0; i < 50 && (!lines.contains(mark) || !lines.contains("mark-stream")); i++) {
            lines = stackGet("log?" + mark).body() + "\n" + stackGet("log?mark-stream").body();
            if (!lines.contains(mark)) Thread.sleep(20);
        }
        assertTrue(lines.matches("(?s).*\"GET " + java.util.regex.Pattern.quote(mount(running) + "/stack.lua/nowhere?" + mark)
                + " " + java.util.regex.Pattern.quote(expectedProtocol()) + "\" 404 12 \"-\" \"[^\"]*\" \\d+.*"), lines);
        assertTrue(lines.contains("/stack.lua/stream?mark-stream HTTP/1.1\" 200 19 "), lines);
    }
}
