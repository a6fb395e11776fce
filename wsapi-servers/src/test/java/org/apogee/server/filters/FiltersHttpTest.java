package org.apogee.server.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apogee.core.HostConfig;
import org.apogee.core.WsapiHost;
import org.apogee.core.lua.LuaRuntime;
import org.apogee.server.undertow.UndertowServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each built-in filter end to end, through the Undertow server, with app files the tests write.
 * (The behaviour suite runs a whole stack on every adapter; this covers what one stack cannot:
 * secrets, modes, reloads, disconnects, symbolic links.)
 */
class FiltersHttpTest {

    private static final String SECRET_A = "filters-http-test-secret-a-0123456789";
    private static final String SECRET_B = "filters-http-test-secret-b-0123456789";

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private UndertowServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private URI start(boolean debug) throws Exception {
        HostConfig config = HostConfig.of(dir).withInstances(2).withAcquireTimeout(Duration.ofSeconds(5)).withDebug(debug);
        server = UndertowServer.start(new WsapiHost(config), "127.0.0.1", 0);
        return URI.create("http://127.0.0.1:" + server.port() + "/");
    }

    private HttpResponse<String> get(URI uri, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cookie(HttpResponse<?> r) {
        for (String line : r.headers().allValues("Set-Cookie")) {
            if (line.startsWith("apogee_session=")) return line.substring(0, line.indexOf(';'));
        }
        return null;
    }

    private void write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private static String counter(String secret) {
        return """
                local session = require "wsapi.filters.session"
                return session(function(env)
                  local n = (env.session:get("n") or 0) + 1
                  env.session:set("n", n)
                  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(tostring(n)) end)
                end, { secret = %s, store = session.memory { name = "filters-http" } })
                """.formatted(secret == null ? "nil" : "\"" + secret + "\"");
    }

    @Test
    void sessionCookiesFromAnotherSecretOrTamperedAreNewSessionsNotErrors() throws Exception {
        write("a.lua", counter(SECRET_A));
        write("b.lua", counter(SECRET_B));
        URI base = start(false);
        HttpResponse<String> first = get(base.resolve("a.lua"));
        String cookie = cookie(first);
        assertNotNull(cookie);
        assertEquals("2", get(base.resolve("a.lua"), "Cookie", cookie).body());
        // the same store, another secret: the cookie is not accepted
        HttpResponse<String> other = get(base.resolve("b.lua"), "Cookie", cookie);
        assertEquals(200, other.statusCode());
        assertEquals("1", other.body());
        assertNotEquals(cookie, cookie(other));
        // forged: a made-up id, a valid id with a made-up signature, garbage
        String id = cookie.substring("apogee_session=".length(), cookie.indexOf('.'));
        for (String forged : List.of("apogee_session=" + "A".repeat(32) + "." + "B".repeat(43),
                "apogee_session=" + id + "." + "B".repeat(43), "apogee_session=" + id, "apogee_session=%%%;;")) {
            HttpResponse<String> r = get(base.resolve("a.lua"), "Cookie", forged);
            assertEquals(200, r.statusCode(), forged);
            assertEquals("1", r.body(), forged);
        }
        assertEquals("3", get(base.resolve("a.lua"), "Cookie", cookie).body(), "the real session is intact");
    }

    @Test
    void aMissingSecretFailsInProductionAndIsReplacedInDevelopment() throws Exception {
        write("nosecret.lua", counter(null));
        URI base = start(false);
        HttpResponse<String> production = get(base.resolve("nosecret.lua"));
        assertEquals(500, production.statusCode());
        assertFalse(production.body().contains("secret"), "no details in production");
        server.close();
        base = start(true);
        HttpResponse<String> debug = get(base.resolve("nosecret.lua"));
        assertEquals(200, debug.statusCode(), debug.body());
        String cookie = cookie(debug);
        // one secret for the whole process: any of the app's states accepts the cookie
        for (int i = 2; i <= 5; i++) assertEquals(String.valueOf(i), get(base.resolve("nosecret.lua"), "Cookie", cookie).body());
    }

    @Test
    void theMissingSecretErrorSaysHowToFixIt() throws Exception {
        write("explain.lua", """
                assert(not require("apogee.config").debug, "the server runs in production mode")
                local ok, err = pcall(require("wsapi.filters.session"), function() end, {})
                return function(env)
                  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield(tostring(err)) end)
                end
                """);
        URI base = start(false);
        String message = get(base.resolve("explain.lua")).body();
        assertTrue(message.contains("no secret: set the filter's 'secret' option or the APOGEE_SESSION_SECRET environment variable"), message);
    }

    @Test
    void theAccessLogCountsWhatWasSentEvenWhenTheClientLeaves() throws Exception {
        write("big.lua", """
                local logging = require "wsapi.filters.logging"
                return logging(function(env)
                  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
                    for i = 1, 2000 do coroutine.yield(string.rep("x", 65536)) end
                  end)
                end, { file = "logs/access.log", format = "%U %s %b %D" })
                """);
        URI base = start(false);
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /big.lua HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            in.readNBytes(200_000);
        }
        Path log = dir.resolve("logs/access.log");
        String line = "";
        for (int i = 0; i < 200 && line.isEmpty(); i++) {
            if (Files.exists(log)) line = Files.readString(log).trim();
            if (line.isEmpty()) Thread.sleep(50);
        }
        String[] parts = line.split(" ");
        assertEquals(4, parts.length, line);
        assertEquals("/big.lua", parts[0]);
        assertEquals("200", parts[1]);
        long bytes = Long.parseLong(parts[2]);
        assertTrue(bytes >= 200_000 && bytes < 2000L * 65536, "the bytes handed over before the client left: " + line);
        // a complete response is logged with all of its bytes
        write("small.lua", """
                local logging = require "wsapi.filters.logging"
                return logging(function(env)
                  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
                    coroutine.yield("abc") coroutine.yield("de")
                  end)
                end, { file = "logs/small.log", format = "%U %s %b" })
                """);
        assertEquals("abcde", get(base.resolve("small.lua")).body());
        Path small = dir.resolve("logs/small.log");
        for (int i = 0; i < 100 && !(Files.exists(small) && !Files.readString(small).isEmpty()); i++) Thread.sleep(20);
        assertEquals("/small.lua 200 5", Files.readString(small).trim());
    }

    @Test
    void staticFilesNeverLeadOutsideTheirFolder() throws Exception {
        write("public/ok.txt", "fine");
        write("secret.txt", "TOP SECRET");
        Files.createSymbolicLink(dir.resolve("public/link.txt"), dir.resolve("secret.txt"));
        write("site.lua", """
                local static = require "wsapi.filters.static"
                return static(function(env)
                  return 404, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield("app") end)
                end, { root = "public" })
                """);
        URI base = start(false);
        HttpResponse<String> ok = get(base.resolve("site.lua/ok.txt"));
        assertEquals(200, ok.statusCode());
        assertEquals("fine", ok.body());
        HttpResponse<String> link = get(base.resolve("site.lua/link.txt"));
        assertEquals(404, link.statusCode());
        assertFalse(link.body().contains("TOP SECRET"));
        HttpResponse<String> missing = get(base.resolve("site.lua/nothing.txt"));
        assertEquals("app", missing.body());
        // ranges past 2 GiB (a sparse file: no disk space used)
        long at = 5L * 1024 * 1024 * 1024 / 2;
        try (java.io.RandomAccessFile big = new java.io.RandomAccessFile(dir.resolve("public/big.bin").toFile(), "rw")) {
            big.setLength(3L * 1024 * 1024 * 1024);
            big.seek(at);
            big.write("MARK".getBytes(StandardCharsets.US_ASCII));
        }
        HttpResponse<String> range = get(base.resolve("site.lua/big.bin"), "Range", "bytes=" + at + "-" + (at + 3));
        assertEquals(206, range.statusCode());
        assertEquals("MARK", range.body());
        assertEquals("bytes " + at + "-" + (at + 3) + "/" + (3L * 1024 * 1024 * 1024), range.headers().firstValue("Content-Range").orElseThrow());
    }

    @Test
    void reloadPicksUpAChangedAppWithoutTheServersReloadOption() throws Exception {
        write("app.lua", "return function() return 200, {}, coroutine.wrap(function() coroutine.yield('one') end) end");
        write("dev.lua", "return require('wsapi.filters.reload')('app.lua', { period = 0 })");
        URI base = start(false);
        assertEquals("one", get(base.resolve("dev.lua")).body());
        Files.writeString(dir.resolve("app.lua"), "return function() return 200, {}, coroutine.wrap(function() coroutine.yield('two') end) end");
        Files.setLastModifiedTime(dir.resolve("app.lua"), FileTime.from(Instant.now().plusSeconds(5)));
        for (int i = 0; i < 4; i++) assertEquals("two", get(base.resolve("dev.lua")).body(), "every state reloads");
    }

    @Test
    void lintTurnsABrokenContractIntoAPreciseError() throws Exception {
        write("broken.lua", """
                local lint = require "wsapi.filters.lint"
                return lint(function(env)
                  return "two hundred", { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield("x") end)
                end)
                """);
        URI base = start(true);
        HttpResponse<String> r = get(base.resolve("broken.lua"));
        assertEquals(500, r.statusCode());
        String expected = "wsapi.lint: the status must look like 200, \"200\" or \"200 OK\", got \"two hundred\"";
        assertTrue(r.body().replace("&quot;", "\"").contains(expected), r.body());
    }

    /**
     * A form post through session + csrf to an app that parses it with wsapi.request: the same
     * fields whether the client sent Content-Length or a chunked body (the csrf filter reads the
     * body to find its token and puts it back), for urlencoded and multipart forms, the token
     * before and after a file.
     */
    @Test
    void anAppBehindCsrfSeesTheSameFormWithOrWithoutContentLength() throws Exception {
        write("form.lua", """
                local filters = require "wsapi.filters"
                local csrf = require "wsapi.filters.csrf"
                local request = require "wsapi.request"
                return filters.stack {
                  { filters.session, secret = "%s", store = filters.session.memory { name = "filters-http-csrf" } },
                  filters.csrf,
                  function(env)
                    local text = csrf.token(env)
                    if env.REQUEST_METHOD == "POST" then
                      local lines = {}
                      for k, v in pairs(request.new(env).POST) do
                        if type(v) == "table" then v = v.name .. ":" .. v.size .. ":" .. v.contents end
                        lines[#lines + 1] = k .. "=" .. v
                      end
                      table.sort(lines)
                      text = table.concat(lines, "\\n")
                    end
                    return 200, { ["Content-Type"] = "text/plain; charset=utf-8", ["X-Transfer-Encoding"] = env.HTTP_TRANSFER_ENCODING },
                      coroutine.wrap(function() coroutine.yield(text) end)
                  end,
                }
                """.formatted(SECRET_A));
        URI base = start(false);
        URI form = base.resolve("form.lua");
        HttpResponse<String> page = get(form);
        assertEquals(200, page.statusCode(), page.body());
        String cookie = cookie(page);
        String token = page.body();
        assertNotNull(cookie);

        String file = "a line of the uploaded file\n".repeat(8000); // 224 000 bytes: past the filter's first reads
        String boundary = "----apogee-http-csrf";
        java.util.function.Function<String[][], byte[]> multipart = parts -> {
            StringBuilder b = new StringBuilder();
            for (String[] p : parts) {
                b.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(p[0]).append('"');
                if (p.length > 2) b.append("; filename=\"").append(p[2]).append("\"\r\nContent-Type: text/plain");
                b.append("\r\n\r\n").append(p[1]).append("\r\n");
            }
            return b.append("--").append(boundary).append("--\r\n").toString().getBytes(StandardCharsets.UTF_8);
        };
        String multipartType = "multipart/form-data; boundary=" + boundary;
        String fields = "csrf_token=" + token + "\nfile=notes.txt:" + file.length() + ":" + file + "\ntitle=Caf\u00e9 au lait";
        record Case(String name, String contentType, byte[] body, String expected) {}
        List<Case> cases = List.of(
                new Case("urlencoded", "application/x-www-form-urlencoded",
                        ("title=Caf%C3%A9+au+lait&csrf_token=" + token + "&n=" + "9".repeat(50_000)).getBytes(StandardCharsets.US_ASCII),
                        "csrf_token=" + token + "\nn=" + "9".repeat(50_000) + "\ntitle=Caf\u00e9 au lait"),
                new Case("multipart, token first", multipartType,
                        multipart.apply(new String[][] {{"csrf_token", token}, {"title", "Caf\u00e9 au lait"}, {"file", file, "notes.txt"}}), fields),
                new Case("multipart, token last", multipartType,
                        multipart.apply(new String[][] {{"title", "Caf\u00e9 au lait"}, {"file", file, "notes.txt"}, {"csrf_token", token}}), fields));
        for (Case c : cases) {
            HttpRequest.Builder post = HttpRequest.newBuilder(form).timeout(Duration.ofSeconds(20))
                    .header("Cookie", cookie).header("Content-Type", c.contentType());
            HttpResponse<String> sized = client.send(post.copy().POST(HttpRequest.BodyPublishers.ofByteArray(c.body())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, sized.statusCode(), c.name() + ": " + sized.body());
            assertEquals("", sized.headers().firstValue("X-Transfer-Encoding").orElse(""), c.name());
            assertEquals(c.expected(), sized.body(), c.name() + " with Content-Length");
            HttpResponse<String> chunked = client.send(post.copy()
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(c.body()))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, chunked.statusCode(), c.name() + ": " + chunked.body());
            assertEquals("chunked", chunked.headers().firstValue("X-Transfer-Encoding").orElse(""), c.name() + ": the request was chunked");
            assertEquals(c.expected(), chunked.body(), c.name() + " chunked");
        }
    }

    @Test
    void theExampleStackRunsAsDocumented() throws Exception {
        Path example = Path.of("..", "examples", "filters", "app.lua").toAbsolutePath().normalize();
        LuaRuntime.Options lua = new LuaRuntime.Options(null, null, null, false, null,
                Map.of("APOGEE_SESSION_SECRET", "example-secret-for-the-test-0123456789"));
        HostConfig config = HostConfig.of(example).withInstances(2).withAcquireTimeout(Duration.ofSeconds(5)).withLua(lua);
        server = UndertowServer.start(new WsapiHost(config), "127.0.0.1", 0);
        URI base = URI.create("http://127.0.0.1:" + server.port() + "/");
        HttpResponse<String> first = get(base);
        assertEquals(200, first.statusCode(), first.body());
        assertTrue(first.body().contains("Visit number 1"), first.body());
        String id = first.headers().firstValue("X-Request-Id").orElseThrow();
        assertTrue(first.body().contains("request " + id), first.body());
        String cookie = cookie(first);
        assertNotNull(cookie);
        assertTrue(get(base, "Cookie", cookie).body().contains("Visit number 2"));
        HttpResponse<String> file = get(base.resolve("static/hello.txt"));
        assertEquals("Served by wsapi.filters.static.\n", file.body());
        HttpResponse<String> form = get(base.resolve("form"), "Cookie", cookie);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"csrf_token\" value=\"([^\"]+)\"").matcher(form.body());
        assertTrue(m.find(), form.body());
        HttpRequest.Builder post = HttpRequest.newBuilder(base.resolve("form")).header("Cookie", cookie)
                .header("Content-Type", "application/x-www-form-urlencoded");
        assertEquals(403, client.send(post.copy().POST(HttpRequest.BodyPublishers.ofString("message=hi")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> posted = client.send(post.copy().POST(HttpRequest.BodyPublishers.ofString("message=hi&csrf_token=" + m.group(1))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, posted.statusCode());
        assertTrue(posted.body().contains("Posted: message=hi"), posted.body());
        HttpResponse<String> logout = get(base.resolve("logout"), "Cookie", cookie);
        assertTrue(logout.headers().allValues("Set-Cookie").stream().anyMatch(l -> l.startsWith("apogee_session=;") && l.contains("Max-Age=0")),
                logout.headers().map().toString());
        assertTrue(get(base, "Cookie", cookie).body().contains("Visit number 1"), "the session is gone");
    }
}
