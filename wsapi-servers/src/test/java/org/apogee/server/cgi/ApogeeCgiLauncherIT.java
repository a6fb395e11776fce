package org.apogee.server.cgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apogee.server.tck.ApogeeProcess;
import org.apogee.server.tck.DeploymentChecks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code apogee-cgi} launcher fed a CGI environment and stdin directly, as a CGI host would. */
class ApogeeCgiLauncherIT {

    record Result(int status, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.ISO_8859_1);
        }

        String body() {
            String o = out();
            return o.substring(o.indexOf("\r\n\r\n") + 4);
        }
    }

    static Path apps;

    @BeforeAll
    static void copyApps(@TempDir Path dir) throws Exception {
        apps = DeploymentChecks.copyApps(dir.resolve("cgi-bin"));
    }

    /** Runs {@code command} with only {@code env} (plus PATH) and {@code stdin}; stdin stays open unless {@code close}. */
    static Result run(List<String> command, Map<String, String> env, byte[] stdin, boolean close) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", ApogeeProcess.home() + ":/usr/local/bin:/usr/bin:/bin");
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        OutputStream in = p.getOutputStream();
        in.write(stdin);
        in.flush();
        if (close) in.close();
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) p.destroyForcibly();
        in.close();
        assertTrue(ended, "the CGI program ended without waiting for the end of stdin");
        return new Result(p.exitValue(), out.get(), new String(err.get(), StandardCharsets.UTF_8));
    }

    private static byte[] read(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            return new byte[0];
        }
    }

    static Map<String, String> cgi(String method, String scriptName, String pathInfo, String... more) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("GATEWAY_INTERFACE", "CGI/1.1", "REQUEST_METHOD", method,
                "SCRIPT_NAME", scriptName, "PATH_INFO", pathInfo, "SERVER_NAME", "example.test", "SERVER_PORT", "8080",
                "SERVER_PROTOCOL", "HTTP/1.1", "REMOTE_ADDR", "192.0.2.7", "QUERY_STRING", "q=1"));
        for (int i = 0; i < more.length; i += 2) env.put(more[i], more[i + 1]);
        return env;
    }

    private static List<String> launcher(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ApogeeProcess.home().resolve("apogee-cgi").toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void preparesItsArchiveAtInstall() throws Exception {
        Result r = run(launcher("--prepare"), Map.of(), new byte[0], true);
        assertEquals(0, r.status(), r.stderr());
        assertTrue(r.out().startsWith("apogee-cgi: ready ("), r.out());
        // a JVM whose archive step crashed leaves an empty file behind and still exits 0
        java.nio.file.Path archive = java.nio.file.Path.of(r.out().trim().replaceFirst("^.*, (.*)\\)$", "$1"));
        assertTrue(java.nio.file.Files.size(archive) > 1_000_000, "a real archive: " + archive + " " + java.nio.file.Files.size(archive));
        Result served = run(launcher(apps.resolve("env.lua").toString()), cgi("GET", "/cgi-bin/env.lua", "/"), new byte[0], false);
        assertEquals(0, served.status(), served.stderr());
        assertFalse(served.stderr().contains("[error"), "the JVM accepts the archive: " + served.stderr());
    }

    @Test
    void readsTheEnvironmentAndStdinAndWritesACgiResponse() throws Exception {
        Result r = run(launcher(apps.resolve("env.lua").toString()),
                cgi("POST", "/cgi-bin/env.lua", "/a/b", "CONTENT_LENGTH", "5", "CONTENT_TYPE", "text/plain", "HTTP_X_THING", "yes"),
                "hello and more than CONTENT_LENGTH".getBytes(), false);
        assertEquals(0, r.status(), r.stderr());
        assertTrue(r.out().startsWith("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"), r.out());
        String body = r.body();
        assertTrue(body.contains("REQUEST_METHOD=POST\n"), body);
        assertTrue(body.contains("SCRIPT_NAME=/cgi-bin/env.lua\n"), body);
        assertTrue(body.contains("PATH_INFO=/a/b\n"), body);
        assertTrue(body.contains("QUERY_STRING=q=1\n"), body);
        assertTrue(body.contains("SERVER_NAME=example.test\n"), body);
        assertTrue(body.contains("REMOTE_ADDR=192.0.2.7\n"), body);
        assertTrue(body.contains("HTTP_X_THING=yes\n"), body);
        assertTrue(body.contains("REQUEST_URI=/cgi-bin/env.lua/a/b?q=1\n"), body);
        assertTrue(body.contains("BODY=hello\n"), "stdin is read up to CONTENT_LENGTH only: " + body);
    }

    @Test
    void runsAsTheInterpreterOfAnAppFile() throws Exception {
        Result r = run(List.of(apps.resolve("sub/split.lua").toString()), cgi("GET", "/cgi-bin/sub/split.lua", "/x/y"),
                new byte[0], true);
        assertEquals(0, r.status(), r.stderr());
        assertEquals("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nSCRIPT_NAME=/cgi-bin/sub/split.lua\nPATH_INFO=/x/y\n", r.out());
    }

    @Test
    void aFolderIsServedInDocumentRootModeUnderTheProgramsScriptName() throws Exception {
        Result r = run(launcher(apps.toString()), cgi("GET", "/cgi-bin/site.cgi", "/sub/split.lua/rest"), new byte[0], true);
        assertTrue(r.body().contains("SCRIPT_NAME=/cgi-bin/site.cgi/sub/split.lua\nPATH_INFO=/rest\n"), r.out());
        r = run(launcher(apps.toString()), cgi("GET", "/cgi-bin/site.cgi", "/nothing.lua"), new byte[0], true);
        assertTrue(r.out().startsWith("Status: 404 Not Found\r\n"), r.out());
    }

    @Test
    void bytesInTheEnvironmentReachTheAppUnchanged() throws Exception {
        // the variable is set by the shell, so the JVM's charset never sees it first
        Result r = run(List.of("/bin/sh", "-c", "PATH_INFO=\"$(printf '/caf\\303\\251\\377')\" exec apogee-cgi \"$0\"",
                apps.resolve("env.lua").toString()), cgi("GET", "/e.lua", "unset"), new byte[0], true);
        byte[] expected = {'P', 'A', 'T', 'H', '_', 'I', 'N', 'F', 'O', '=', '/', 'c', 'a', 'f', (byte) 0xC3, (byte) 0xA9, (byte) 0xFF, '\n'};
        assertTrue(indexOf(r.stdout(), expected) >= 0, r.out());
    }

    @Test
    void errorsHeadAndStrayOutput(@TempDir Path dir) throws Exception {
        Result r = run(launcher(apps.resolve("raise.lua").toString()), cgi("GET", "/raise.lua", ""), new byte[0], true);
        assertTrue(r.out().startsWith("Status: 500 Internal Server Error\r\nContent-Type: text/html"), r.out());
        assertFalse(r.out().contains("boom"));
        assertTrue(r.stderr().contains("raise.lua:3: boom before the headers"), "the error goes to the server's log: " + r.stderr());

        r = run(launcher(apps.resolve("env.lua").toString()), cgi("HEAD", "/env.lua", ""), new byte[0], true);
        assertEquals("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n", r.out());

        Path printing = dir.resolve("print.lua");
        Files.writeString(printing, "print('debug output')\nreturn function(env) print('in the app') io.write('more')\n"
                + "return 200, {['Content-Length'] = 2}, coroutine.wrap(function() coroutine.yield('ok') end) end\n");
        r = run(launcher(printing.toString()), cgi("GET", "/print.lua", ""), new byte[0], true);
        assertEquals("Status: 200 OK\r\nContent-Length: 2\r\n\r\nok", r.out(), "print goes to stderr, never into the response");
        assertTrue(r.stderr().contains("in the app"), r.stderr());

        r = run(launcher(dir.resolve("missing.lua").toString()), cgi("GET", "/missing.lua", ""), new byte[0], true);
        assertEquals(1, r.status());
        assertTrue(r.out().startsWith("Status: 500"), r.out());
        assertTrue(r.stderr().contains("missing.lua"), r.stderr());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
