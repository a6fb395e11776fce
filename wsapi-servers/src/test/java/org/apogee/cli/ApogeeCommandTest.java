package org.apogee.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
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
import org.apogee.server.tls.TestCertificates;
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
    void testLuaRunsSpecsAndFailsOnAFailure(@TempDir Path dir) throws Exception {
        Path specs = Files.createDirectories(dir.resolve("spec"));
        Files.writeString(specs.resolve("math_spec.lua"),
                "describe('math', function()\n  it('adds', function() assert.equals(4, 2 + 2) end)\nend)\n");
        Result r = run(Map.of(), dir, "test-lua", "spec");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("1 passed, 0 failed"), r.out());
        Files.writeString(specs.resolve("broken_spec.lua"),
                "describe('broken', function()\n  it('fails', function() assert.equals('a', 'b') end)\nend)\n");
        r = run(Map.of(), dir, "test-lua", "spec");
        assertEquals(1, r.status());
        assertTrue(r.out().contains("1 passed, 1 failed"), r.out());
        assertTrue(r.out().contains("broken_spec.lua:2"), r.out());
    }

    @Test
    void helpAndArgumentErrors(@TempDir Path dir) throws Exception {
        Result r = run(Map.of(), dir, "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("serve") && r.out().contains("lua"), r.out());
        r = run(Map.of(), dir, "serve", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("--instances") && r.out().contains("--[no-]reload") && r.out().contains("TARGET"), r.out());
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
        List<String> all = new ArrayList<>(List.of("--port", "0", "--shutdown-timeout", "10"));
        all.addAll(args);
        return launch("serve", all, jvmArgs);
    }

    /**
     * Starts "apogee COMMAND ARGS" in its own JVM; returns it, the port it printed and what it printed
     * up to that line (stdout and stderr).
     */
    private static Object[] launch(String command, List<String> args, String... jvmArgs) throws Exception {
        List<String> cmd = java(jvmArgs);
        cmd.add(command);
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder printed = new StringBuilder();
        Pattern listening = command.equals("fcgi") ? Pattern.compile(" on 127\\.0\\.0\\.1:(\\d+) ") : LISTENING;
        String line;
        while ((line = out.readLine()) != null) {
            printed.append(line).append('\n');
            Matcher m = listening.matcher(line);
            if (m.find()) {
                Thread.ofVirtual().start(() -> drain(out));
                return new Object[] {p, Integer.parseInt(m.group(1)), printed.toString()};
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("server did not start:\n" + printed);
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
    void wsJsonTurnsOnTlsForTheServicesAndTheApps(@TempDir Path home) throws Exception {
        // a LAppS home whose ws.json asks for TLS: the echo service answers over wss://, the apps over https://
        org.apogee.server.tls.TestCertificates.Files certs = org.apogee.server.tls.TestCertificates.files();
        Path conf = Files.createDirectories(home.resolve("conf"));
        Files.copy(Path.of("../examples/lapps/conf/lapps.json"), conf.resolve("lapps.json"));
        try (var files = Files.walk(Path.of("../examples/lapps/apps"))) {
            for (Path f : files.toList()) {
                Path to = home.resolve("apps").resolve(Path.of("../examples/lapps/apps").relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(to); else Files.copy(f, to);
            }
        }
        Files.writeString(conf.resolve("ws.json"), "{ \"tls\": true, \"tls_server_version\": 4, \"tls_certificates\": "
                + "{ \"cert\": \"" + certs.cert() + "\", \"key\": \"" + certs.key() + "\" } }");
        List<String> cmd = java();
        cmd.addAll(List.of("serve", "--tls-port", "0", "--lapps", conf.resolve("lapps.json").toString(), docRoot().toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Pattern https = Pattern.compile("on https://127\\.0\\.0\\.1:(\\d+)/");
            int port = -1;
            StringBuilder printed = new StringBuilder();
            for (String line; port < 0 && (line = out.readLine()) != null; ) {
                printed.append(line).append('\n');
                Matcher m = https.matcher(line);
                if (m.find()) port = Integer.parseInt(m.group(1));
            }
            assertTrue(port > 0, "serves HTTPS: " + printed);
            Thread.ofVirtual().start(() -> drain(out));
            HttpClient client = HttpClient.newBuilder().sslContext(org.apogee.server.tls.TestCertificates.clientContext()).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/static/hello.txt")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            java.util.concurrent.CompletableFuture<String> echoed = new java.util.concurrent.CompletableFuture<>();
            java.net.http.WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create("wss://127.0.0.1:" + port + "/echo"),
                    new java.net.http.WebSocket.Listener() {
                        @Override public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                            echoed.complete(data.toString());
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            ws.sendText("over wss", true).join();
            assertEquals("over wss", echoed.get(10, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
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

    /**
     * An application folder as the sample lays it out: apogee.properties naming the app file and a
     * lapps.json whose services live in live/NAME/NAME.lua.
     */
    private static Path appFolder(Path dir, String properties) throws Exception {
        Path app = Files.createDirectories(dir.resolve("app"));
        Files.writeString(app.resolve("board.lua"), """
                return function(env)
                  if env.PATH_INFO == "/raise" then error("boom in the board") end
                  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
                    coroutine.yield("board at " .. env.PATH_INFO)
                  end)
                end
                """);
        Files.createDirectories(app.resolve("live/echo"));
        Files.copy(Path.of("../examples/lapps/apps/echo/echo.lua"), app.resolve("live/echo/echo.lua"));
        Files.writeString(app.resolve("lapps.json"), """
                { "directories": { "applications": "live" },
                  "services": { "echo": { "standalone": false, "auto_start": true, "instances": 2, "protocol": "raw",
                                          "request_target": "/echo", "max_inbound_message_size": 65536 } } }
                """);
        Files.writeString(dir.resolve("apogee.properties"), properties);
        return dir;
    }

    private static String echo(HttpClient client, int port, String text) throws Exception {
        java.util.concurrent.CompletableFuture<String> echoed = new java.util.concurrent.CompletableFuture<>();
        java.net.http.WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/echo"),
                new java.net.http.WebSocket.Listener() {
                    @Override public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                        echoed.complete(data.toString());
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText(text, true).join();
        try {
            return echoed.get(10, TimeUnit.SECONDS);
        } finally {
            ws.abort();
        }
    }

    @Test
    void serveAnApplicationFolder(@TempDir Path dir) throws Exception {
        int filePort = org.apogee.server.tck.Nginx.freePort();
        appFolder(dir, "# the sample's layout\ntarget=app/board.lua\nlapps=app/lapps.json\ninstances=2\ndebug=true\nport="
                + filePort + "\n");
        HttpClient client = HttpClient.newHttpClient();
        // the file's port, instances and debug; HTTP and the WebSocket service on the same port
        Object[] s = launch("serve", List.of(dir.toString()));
        Process p = (Process) s[0];
        try {
            assertEquals(filePort, (int) s[1], (String) s[2]);
            assertTrue(((String) s[2]).contains("(2 instances per app"), (String) s[2]);
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + filePort + "/tasks")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("board at /tasks", r.body());
            r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + filePort + "/raise")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(500, r.statusCode());
            assertTrue(r.body().contains("boom in the board"), "debug=true shows the error: " + r.body());
            assertEquals("from the app folder", echo(client, filePort, "from the app folder"));
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // options on the command line win over the file
        s = launch("serve", List.of("--port", "0", "--instances", "3", "--no-debug", dir.toString()));
        p = (Process) s[0];
        try {
            int port = (int) s[1];
            assertTrue(port != filePort, (String) s[2]);
            assertTrue(((String) s[2]).contains("(3 instances per app"), (String) s[2]);
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/raise")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(500, r.statusCode());
            assertFalse(r.body().contains("boom in the board"), "--no-debug hides it: " + r.body());
            assertEquals("still echoing", echo(client, port, "still echoing"));
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void fcgiReadsTheApplicationFolderAndLeavesOutTheWebSockets(@TempDir Path dir) throws Exception {
        appFolder(dir, "target=app/board.lua\nlapps=app/lapps.json\nlisten=127.0.0.1:0\ninstances=2\n");
        Object[] s = launch("fcgi", List.of(dir.toString()));
        Process p = (Process) s[0];
        try {
            String printed = (String) s[2];
            assertTrue(printed.contains("apogee fcgi: ignoring lapps in " + dir.resolve("apogee.properties")
                    + " (FastCGI carries no WebSockets)"), printed);
            assertTrue(printed.contains("Apogee FastCGI serving " + dir.resolve("app/board.lua")), printed);
            assertTrue(printed.contains("(2 instances per app"), printed);
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void applicationFolderMistakesStopStartUp(@TempDir Path dir) throws Exception {
        appFolder(dir, "target=app/board.lua\nprot=80\n");
        Path file = dir.resolve("apogee.properties");
        Result r = run(Map.of(), dir, "serve", ".");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("apogee.properties: unknown key 'prot'"), r.err());
        Files.writeString(file, "target=app/board.lua\ninstances=many\n");
        r = run(Map.of(), dir, "fcgi", dir.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(file + ": instances: expected a whole number of at least 1, got 'many'"), r.err());
        Files.writeString(file, "lapps=app/lapps.json\n");
        r = run(Map.of(), dir, "serve", dir.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(file + ": target is required"), r.err());
        Files.writeString(file, "target=app/board.lua\nlapps=app/missing.json\n");
        r = run(Map.of(), dir, "serve", dir.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(file + ": lapps: not found: " + dir.resolve("app/missing.json")), r.err());
    }

    private static Path docRoot() throws Exception {
        return Path.of(ApogeeCommandTest.class.getResource("/tck/www").toURI());
    }

    @Test
    void serveOverHttpsWithThePlainPortRedirecting() throws Exception {
        TestCertificates.Files certs = TestCertificates.files();
        List<String> cmd = java();
        cmd.addAll(List.of("serve", "--port", "0", "--tls-port", "0", "--plain-http", "redirect",
                "--tls-cert", certs.ecCert().toString(), "--tls-key", certs.ecKey().toString(), docRoot().toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Matcher https = awaitLine(out, Pattern.compile("on https://127\\.0\\.0\\.1:(\\d+)/"));
            assertTrue(awaitLine(out, Pattern.compile("^TLS: CN=localhost, EC 256, valid until .*TLSv1.3 TLSv1.2, HTTP/2")) != null);
            Matcher plain = awaitLine(out, Pattern.compile("plain HTTP on http://127\\.0\\.0\\.1:(\\d+)/ redirects to HTTPS"));
            Thread.ofVirtual().start(() -> drain(out));
            HttpClient client = HttpClient.newBuilder().sslContext(TestCertificates.clientContext())
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plain.group(1) + "/env.lua/x"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertEquals("https://127.0.0.1:" + https.group(1) + "/env.lua/x", r.uri().toString());
            assertTrue(r.body().contains("\nHTTPS=on\n") && r.body().contains("\nSERVER_PORT=" + https.group(1) + "\n"), r.body());
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void tlsProblemsStopStartUpWithAMessage(@TempDir Path dir) throws Exception {
        TestCertificates.Files certs = TestCertificates.files();
        Path missing = dir.resolve("missing.crt");
        Result r = run(Map.of(), dir, "serve", "--tls-port", "0", "--tls-cert", missing.toString(),
                "--tls-key", certs.key().toString(), docRoot().toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("apogee serve: TLS certificate file " + missing + ": not found"), r.err());
        r = run(Map.of(), dir, "serve", "--tls-port", "0", "--tls-cert", certs.expiredCert().toString(),
                "--tls-key", certs.expiredKey().toString(), docRoot().toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains(certs.expiredCert() + ": the certificate expired on "), r.err());
        r = run(Map.of(), dir, "serve", "--tls-protocols", "TLSv1.1", "--tls-cert", certs.cert().toString(), docRoot().toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--tls-protocols: unsupported TLS protocol 'TLSv1.1'"), r.err());
        r = run(Map.of(), dir, "serve", "--port", "0", "--tls-cert", certs.cert().toString(), docRoot().toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--port needs --plain-http redirect or serve"), r.err());
    }

    /** Reads lines until one matches; returns the match. */
    private static Matcher awaitLine(BufferedReader out, Pattern pattern) throws IOException {
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = pattern.matcher(line);
            if (m.find()) return m;
        }
        throw new IllegalStateException("no line matching " + pattern + " in:\n" + seen);
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

    /** The bytes of a generated file, i ^ (i >>> 9), as a stream. */
    private static final class Generated extends InputStream {
        private final long size;
        private long pos;

        Generated(long size) {
            this.size = size;
        }

        static int at(long i) {
            return (int) ((i ^ (i >>> 9)) & 0xff);
        }

        @Override public int read() {
            return pos < size ? at(pos++) : -1;
        }

        @Override public int read(byte[] b, int off, int len) {
            if (pos >= size) return -1;
            int n = (int) Math.min(len, size - pos);
            for (int i = 0; i < n; i++) b[off + i] = (byte) at(pos++);
            return n;
        }
    }

    @Test
    void aHundredMegabyteUploadStreamsThroughASmallHeap() throws Exception {
        // wsapi.request parses a 100 MiB multipart upload in a 40 MiB heap: the file goes to disk
        // as it arrives, and the app reads it back through its file handle
        Object[] s = serve(docRoot(), "-Xmx40m");
        Process p = (Process) s[0];
        try {
            long size = 100L * 1024 * 1024;
            String boundary = "----apogee-large-upload-9d7c2e";
            byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nlarge\r\n--" + boundary
                    + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
            long sum = 0;
            for (long i = 0; i < size; i += 4096) sum = (sum + Generated.at(i)) % 4294967296L;
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                    () -> new SequenceInputStream(java.util.Collections.enumeration(List.of(new ByteArrayInputStream(head),
                            new Generated(size), new ByteArrayInputStream(tail))))), head.length + size + tail.length);
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s[1] + "/upload_sum.lua"))
                    .timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(body).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            String[] answer = r.body().split(" ");
            assertEquals(List.of("big.bin", String.valueOf(size), String.valueOf(size), String.valueOf(sum), "large"),
                    List.of(answer).subList(0, 5));
            Path temp = Path.of(answer[5]);
            for (int i = 0; i < 100 && Files.exists(temp); i++) Thread.sleep(20);
            assertTrue(!Files.exists(temp), "the temporary file is removed: " + temp);
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
            // stream.lua answers a first chunk, then waits for the body: the request is surely in flight
            inFlight.send("POST /stream.lua HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n");
            StringBuilder seen = new StringBuilder();
            inFlight.readUntil("first\n", seen);
            p.destroy(); // SIGTERM
            Thread.sleep(500);
            assertTrue(p.isAlive(), "the server waits for the request in flight");
            inFlight.send("LAST!");
            String answer = inFlight.readUntil("second:LAST!", seen);
            assertTrue(answer.startsWith("HTTP/1.1 200") && answer.contains("second:LAST!"), answer);
            assertTrue(p.waitFor(15, TimeUnit.SECONDS), "the server stops once idle");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void sigtermWritesTheBufferedAccessLog(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("access.log");
        Path app = dir.resolve("app.lua");
        Files.writeString(app, """
                local filters = require "wsapi.filters"
                return filters.stack {
                  { filters.logging, file = %s, flush = 60, format = "%%r %%s" },
                  function(env)
                    return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function() coroutine.yield("ok") end)
                  end,
                }
                """.formatted("\"" + log.toString().replace("\\", "\\\\") + "\""));
        Object[] s = serve(app);
        Process p = (Process) s[0];
        int port = (int) s[1];
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("", Files.exists(log) ? Files.readString(log) : "", "buffered for a minute");
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(15, TimeUnit.SECONDS), "stops on SIGTERM");
            assertEquals(143, p.exitValue());
            assertEquals("GET /x HTTP/1.1 200\n", Files.readString(log), "written when the server stopped");
        } finally {
            p.destroyForcibly();
        }
    }
}
