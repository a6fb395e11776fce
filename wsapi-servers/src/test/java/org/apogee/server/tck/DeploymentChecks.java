package org.apogee.server.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * What a deployment behind a web server must show, checked over HTTP against the apps in
 * {@code src/test/resources/deploy} (env.lua, sub/split.lua, upload.lua, stream.lua, raise.lua),
 * wherever the deployment mounted them.
 */
public final class DeploymentChecks {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    /** @param base where the deploy folder is served, ending with "/" */
    public DeploymentChecks(URI base) {
        this.base = base;
    }

    /** The deploy apps copied to a new folder, executable, ready for a CGI host. */
    public static Path copyApps(Path to) throws Exception {
        Path from = appsFolder();
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                    t.toFile().setExecutable(true, false);
                }
            }
        }
        return to;
    }

    public static Path appsFolder() throws URISyntaxException {
        return Path.of(DeploymentChecks.class.getResource("/deploy").toURI());
    }

    private HttpResponse<String> get(String relative) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(relative)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
    }

    static Map<String, String> lines(String body) {
        Map<String, String> m = new HashMap<>();
        for (String line : body.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return m;
    }

    /** CGI variables, the front end's SCRIPT_NAME/PATH_INFO split and a POST body. */
    public Map<String, String> envAndPostBody() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("env.lua/some/p%20ath?a=1&b=two"))
                .header("X-Thing", "value").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=value&x=y")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        Map<String, String> env = lines(r.body());
        String mount = base.getPath();
        assertEquals("POST", env.get("REQUEST_METHOD"));
        assertEquals(mount + "env.lua", env.get("SCRIPT_NAME"));
        assertEquals("/some/p ath", env.get("PATH_INFO"));
        assertEquals("a=1&b=two", env.get("QUERY_STRING"));
        assertEquals("application/x-www-form-urlencoded", env.get("CONTENT_TYPE"));
        assertEquals("14", env.get("CONTENT_LENGTH"));
        assertEquals("name=value&x=y", env.get("BODY"));
        assertEquals("value", env.get("HTTP_X_THING"));
        assertEquals(mount + "env.lua/some/p%20ath?a=1&b=two", env.get("REQUEST_URI"));
        assertEquals(String.valueOf(base.getPort()), env.get("SERVER_PORT"));
        assertEquals("127.0.0.1", env.get("REMOTE_ADDR"));
        assertEquals("CGI/1.1", env.get("GATEWAY_INTERFACE"));
        assertTrue(env.get("SCRIPT_FILENAME").endsWith("/env.lua"), env.get("SCRIPT_FILENAME"));
        assertEquals("", env.get("NO_SUCH_VARIABLE"));

        Map<String, String> split = lines(get("sub/split.lua/x/y/").body());
        assertEquals(mount + "sub/split.lua", split.get("SCRIPT_NAME"));
        assertEquals("/x/y/", split.get("PATH_INFO"));
        split = lines(get("sub/split.lua").body());
        assertEquals("/", split.get("PATH_INFO"));
        return env;
    }

    /** A multipart upload of a binary file arrives byte for byte. */
    public void fileUpload() throws Exception {
        byte[] file = new byte[300_000];
        new Random(7).nextBytes(file);
        long sum = 0;
        for (byte b : file) sum = (sum + (b & 0xff)) % 4294967296L;
        String boundary = "----apogee-upload-boundary";
        var body = new java.io.ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"data.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("upload.lua"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("filename=data.bin size=" + file.length + " sum=" + sum, r.body());
    }

    /** The first chunk reaches the client while the app still works on the second. */
    public void streaming() throws Exception {
        streaming(true);
    }

    /**
     * A streamed body arrives whole; with {@code hostStreams}, its first chunk also arrives while the
     * app still works on the second (a host that buffers, such as fcgiwrap, sends both at the end).
     */
    public void streaming(boolean hostStreams) throws Exception {
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(base.resolve("stream.lua"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (InputStream in = r.body()) {
            StringBuilder seen = new StringBuilder();
            long firstAt = 0;
            byte[] buf = new byte[256];
            int n;
            while ((n = in.read(buf)) > 0) {
                seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                if (firstAt == 0 && seen.indexOf("first\n") >= 0) firstAt = System.nanoTime();
            }
            long gapMillis = (System.nanoTime() - firstAt) / 1_000_000;
            assertEquals("first\nsecond\n", seen.toString());
            if (hostStreams) {
                assertTrue(gapMillis >= 500, "the first chunk came " + gapMillis + " ms before the end, not at once with it");
            }
        }
    }

    /** A Lua error is a 500 page without its details; a missing app is a 404. */
    public void errorsAndMissingApps() throws Exception {
        HttpResponse<String> r = get("raise.lua");
        assertEquals(500, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), r.headers().toString());
        assertFalse(r.body().contains("boom"), "no details outside debug mode");
        assertEquals(404, get("missing.lua").statusCode());
        assertEquals(404, get("sub/missing.lua/x").statusCode());
    }

    /** {@code count} requests at once, all answered without an error. */
    public void concurrentRequests(int count) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            all.add(client.sendAsync(HttpRequest.newBuilder(base.resolve("sub/split.lua/n" + i))
                    .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < count; i++) {
            HttpResponse<String> r = all.get(i).get();
            assertEquals(200, r.statusCode(), "request " + i + ": " + r.body());
            assertEquals("/n" + i, lines(r.body()).get("PATH_INFO"));
        }
    }
}
