package org.apogee.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apogee.server.tck.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The apogee command as users run it: a separate JVM, real exit codes, real signals. */
class ApogeeCommandTest {

    record Result(int status, String out, String err) {}

    private static List<String> java(String... jvmArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-exports");
        cmd.add("java.base/jdk.internal.vm=ALL-UNNAMED");
        cmd.addAll(List.of(jvmArgs));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.apogee.cli.Apogee");
        return cmd;
    }

    private static Result run(Map<String, String> env, Path dir, String... args) throws Exception {
        List<String> cmd = java();
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("LUA_PATH");
        pb.environment().remove("LUA_PATH_5_2");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out, err);
    }

    @Test
    void luaRunsAScriptWithArguments(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("hello.lua"), "local a, b = ...\nprint(_VERSION, arg[0], arg[1], a, b, select('#', ...))\n");
        Result r = run(Map.of(), dir, "lua", "hello.lua", "x", "y");
        assertEquals(0, r.status(), r.err());
        assertEquals("Lua 5.2\thello.lua\tx\tx\ty\t2\n", r.out());
    }

    @Test
    void luaErrorsExitWithStatusOneAndAMessage(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bad.lua"), "print('before')\nerror('it broke')\n");
        Result r = run(Map.of(), dir, "lua", "bad.lua");
        assertEquals(1, r.status());
        assertEquals("before\n", r.out());
        assertTrue(r.err().contains("bad.lua:2: it broke"), r.err());
        Files.writeString(dir.resolve("syntax.lua"), "print(\n");
        r = run(Map.of(), dir, "lua", "syntax.lua");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("syntax.lua:"), r.err());
        r = run(Map.of(), dir, "lua", "missing.lua");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("missing.lua"), r.err());
    }

    @Test
    void osExitSetsTheStatus(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("exit.lua"), "io.write('bye')\nos.exit(3)\nprint('not reached')\n");
        Result r = run(Map.of(), dir, "lua", "exit.lua");
        assertEquals(3, r.status());
        assertEquals("bye", r.out());
    }

    @Test
    void luaPathIsHonouredWithTheDefaultPath(@TempDir Path dir) throws Exception {
        Path lib = Files.createDirectories(dir.resolve("mylibs"));
        Files.writeString(lib.resolve("greeting.lua"), "return { text = 'from LUA_PATH' }\n");
        Files.writeString(dir.resolve("local.lua"), "return { text = 'from ./' }\n");
        Files.writeString(dir.resolve("main.lua"),
                "print(require('greeting').text)\nprint(require('local').text)\nprint(require('apogee.compat51') ~= nil)\n");
        Result r = run(Map.of("LUA_PATH", lib + "/?.lua;;"), dir, "lua", "main.lua");
        assertEquals(0, r.status(), r.err());
        assertEquals("from LUA_PATH\nfrom ./\ntrue\n", r.out());
        // without ";;" the default path is gone, as with the lua interpreter
        r = run(Map.of("LUA_PATH", lib + "/?.lua"), dir, "lua", "main.lua");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("module 'local' not found"), r.err());
    }

    @Test
    void helpAndArgumentErrors(@TempDir Path dir) throws Exception {
        Result r = run(Map.of(), dir, "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("serve") && r.out().contains("lua"), r.out());
        r = run(Map.of(), dir, "serve", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("--instances") && r.out().contains("--reload") && r.out().contains("TARGET"), r.out());
        r = run(Map.of(), dir, "lua", "--help");
        assertEquals(0, r.status());
        r = run(Map.of(), dir, "serve", "--port", "nope", "x.lua");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--port"), r.err());
        r = run(Map.of(), dir, "serve", "no-such-app.lua");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("TARGET not found: no-such-app.lua"), r.err());
        r = run(Map.of(), dir, "frobnicate");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("frobnicate"), r.err());
    }

    private static final Pattern LISTENING = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)/");

    /** Starts "apogee serve" in its own JVM and returns it with the port it printed. */
    private static Object[] serve(Path target, String... jvmArgs) throws Exception {
        return serveWith(List.of(target.toString()), jvmArgs);
    }

    private static Object[] serveWith(List<String> args, String... jvmArgs) throws Exception {
        List<String> cmd = java(jvmArgs);
        cmd.addAll(List.of("serve", "--port", "0", "--shutdown-timeout", "10"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread.ofVirtual().start(() -> drain(out));
                return new Object[] {p, Integer.parseInt(m.group(1))};
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("server did not start");
    }

    private static void drain(BufferedReader r) {
        try {
            while (r.readLine() != null) { /* keep the pipe empty */ }
        } catch (IOException ignored) {
            // process ended
        }
    }

    @Test
    void lappsServicesShareThePortWithTheHttpApps() throws Exception {
        lappsNextToHttp("undertow");
    }

    @Test
    void lappsServicesOnJetty() throws Exception {
        lappsNextToHttp("jetty");
    }

    private void lappsNextToHttp(String serverLibrary) throws Exception {
        Path lapps = Path.of("../examples/lapps/conf/lapps.json");
        Object[] s = serveWith(List.of("--server", serverLibrary, "--lapps", lapps.toString(), docRoot().toString()));
        Process p = (Process) s[0];
        int port = (int) s[1];
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/static/hello.txt")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            java.util.concurrent.CompletableFuture<String> echoed = new java.util.concurrent.CompletableFuture<>();
            java.net.http.WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/echo"),
                    new java.net.http.WebSocket.Listener() {
                        @Override public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                            echoed.complete(data.toString());
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            ws.sendText("over the same port", true).join();
            assertEquals("over the same port", echoed.get(10, TimeUnit.SECONDS));
            try (RawHttp raw = new RawHttp(port)) {
                raw.send("GET /nowhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
                String answer = raw.readUntil("\r\n\r\n", new StringBuilder());
                assertTrue(answer.startsWith("HTTP/1.1 404"), answer);
            }
            p.destroy();
            assertTrue(p.waitFor(15, TimeUnit.SECONDS), "stops on SIGTERM");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void lappsWithoutAnAppAndBadConfigs(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bad.json"), "{ \"services\": ");
        Result r = run(Map.of(), dir, "serve", "--lapps", "bad.json");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--lapps bad.json: lapps.json: parse error"), r.err());
        Files.writeString(dir.resolve("missing.json"), "{ \"services\": { \"ghost\": { \"standalone\": true, \"instances\": 1, \"auto_start\": true } } }");
        r = run(Map.of(), dir, "serve", "--port", "0", "--lapps", "missing.json");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("ghost: module file not found"), r.err());
        r = run(Map.of(), dir, "serve");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("give an app TARGET, --lapps FILE, or both"), r.err());
    }

    private static Path docRoot() throws Exception {
        return Path.of(ApogeeCommandTest.class.getResource("/tck/www").toURI());
    }

    @Test
    void aLargeBodyIsStreamedThroughASmallHeap() throws Exception {
        // 64 MiB through a 40 MiB heap: only possible if nothing holds the body whole
        Object[] s = serve(docRoot(), "-Xmx40m");
        Process p = (Process) s[0];
        try {
            byte[] body = new byte[64 * 1024 * 1024];
            long sum = 0;
            for (int i = 0; i < body.length; i++) body[i] = (byte) (i ^ (i >>> 9));
            for (int i = 0; i < body.length; i += 4096) sum = (sum + (body[i] & 0xff)) % 4294967296L;
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s[1] + "/count.lua"))
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(body.length + " " + sum, r.body());
            assertTrue(p.isAlive());
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigtermLetsTheRunningRequestFinish() throws Exception {
        Object[] s = serve(docRoot());
        Process p = (Process) s[0];
        int port = (int) s[1];
        try (RawHttp inFlight = new RawHttp(port)) {
            inFlight.send("POST /hold.lua HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n");
            Thread.sleep(300);
            p.destroy(); // SIGTERM
            Thread.sleep(300);
            assertTrue(p.isAlive(), "the server waits for the request in flight");
            inFlight.send("LAST");
            String answer = inFlight.readUntil("held:LAST", new StringBuilder());
            assertTrue(answer.startsWith("HTTP/1.1 200") && answer.contains("held:LAST"), answer);
            assertTrue(p.waitFor(15, TimeUnit.SECONDS), "the server stops once idle");
        } finally {
            p.destroyForcibly();
        }
    }
}
