package org.apogee.example.war;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apogee.server.tck.Tomcat;
import org.eclipse.jetty.ee10.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploys the built WAR into real servlet containers — Jetty 12 (ee10) loading the WAR file, and
 * Debian's Tomcat 10 (installed when missing; see {@link Tomcat}) — under a context path, and checks
 * it over HTTP.
 */
class WarDeploymentIT {

    private static final Path WAR = Path.of(System.getProperty("war.file", "target/hello-war.war"));
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void runsInJetty(@TempDir Path tmp) throws Exception {
        assertTrue(Files.isRegularFile(WAR), "the WAR was built: " + WAR);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        WebAppContext webapp = new WebAppContext(WAR.toString(), "/hello");
        webapp.setTempDirectory(tmp.toFile());
        webapp.addConfiguration(new AnnotationConfiguration()); // discovers ServletContainerInitializers
        webapp.setParentLoaderPriority(false);
        server.setHandler(webapp);
        server.start();
        try {
            checkDeployment(connector.getLocalPort(), "/hello");
        } finally {
            server.stop();
        }
    }

    @Test
    void runsInTomcat() throws Exception {
        try (Tomcat tomcat = Tomcat.deploy(WAR, "/hello")) {
            checkDeployment(tomcat.port(), "/hello");
        }
    }

    private void checkDeployment(int port, String context) throws Exception {
        URI base = URI.create("http://127.0.0.1:" + port + context + "/");

        HttpResponse<String> home = get(base);
        assertEquals(200, home.statusCode(), home.body());
        assertTrue(home.body().contains("Apogee in a servlet container"), home.body());

        HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("env.lua/some/path?x=1&y=2"))
                .header("X-Thing", "value").POST(HttpRequest.BodyPublishers.ofString("the body")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        Map<String, String> env = lines(r.body());
        assertEquals("POST", env.get("REQUEST_METHOD"));
        assertEquals(context + "/env.lua", env.get("SCRIPT_NAME"));
        assertEquals("/some/path", env.get("PATH_INFO"));
        assertEquals("x=1&y=2", env.get("QUERY_STRING"));
        assertEquals("value", env.get("HTTP_X_THING"));
        assertEquals("8", env.get("CONTENT_LENGTH"));
        assertEquals("the body", env.get("BODY"));
        assertEquals(String.valueOf(port), env.get("SERVER_PORT"));
        assertEquals("", env.get("NO_SUCH_VARIABLE"));

        HttpResponse<String> headers = get(base.resolve("headers.lua"));
        assertEquals(201, headers.statusCode());
        assertEquals(List.of("a=1; Path=/", "b=2; HttpOnly"), headers.headers().allValues("Set-Cookie"));

        HttpResponse<String> error = get(base.resolve("raise.lua"));
        assertEquals(500, error.statusCode());
        assertFalse(error.body().contains("boom"), "no details outside debug mode");
        assertEquals(404, get(base.resolve("missing.lua")).statusCode());
        assertEquals(404, get(base.resolve("dir/missing.lua/x")).statusCode());

        String boundary = "----apogee-boundary";
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nfirst try\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nfile contents\r\n--" + boundary + "--\r\n";
        HttpResponse<String> upload = client.send(HttpRequest.newBuilder(base.resolve("upload.lua"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, upload.statusCode(), upload.body());
        assertEquals("name=a.txt\nsize=13\ntype=text/plain\ncontents=file contents\ncomment=first try\n", upload.body());

        // streaming: the first chunk arrives while the app still waits for the request body
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(("POST " + context + "/stream.lua HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String seen = readUntil(in, "first\n", "");
            assertFalse(seen.contains("second"), seen);
            out.write("hello".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            seen = readUntil(in, "second:hello", seen);
            assertTrue(seen.contains("second:hello"), seen);
        }
    }

    private static String readUntil(InputStream in, String marker, String seen) throws IOException {
        StringBuilder sb = new StringBuilder(seen);
        byte[] buf = new byte[4096];
        while (sb.indexOf(marker) < 0) {
            int r = in.read(buf);
            if (r < 0) break;
            sb.append(new String(buf, 0, r, StandardCharsets.ISO_8859_1));
        }
        return sb.toString();
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> lines(String body) {
        Map<String, String> m = new HashMap<>();
        for (String line : body.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return m;
    }
}
