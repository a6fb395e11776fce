package org.apogee.example.war;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.eclipse.jetty.ee10.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploys the built WAR into real servlet containers — Jetty 12 (ee10) loading the WAR file, and
 * Debian's Tomcat 10 (installed when missing) — under a context path, and checks it over HTTP.
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
    void runsInTomcat(@TempDir Path base) throws Exception {
        ensurePackages("tomcat10");
        Path home = Path.of("/usr/share/tomcat10");
        Path conf = Files.createDirectories(base.resolve("conf"));
        try (Stream<Path> files = Files.list(Path.of("/etc/tomcat10"))) {
            for (Path f : files.toList()) if (Files.isRegularFile(f)) Files.copy(f, conf.resolve(f.getFileName()));
        }
        int port = freePort();
        Files.writeString(conf.resolve("server.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <Server port="-1" shutdown="SHUTDOWN">
                  <Service name="Catalina">
                    <Connector port="%d" address="127.0.0.1" protocol="HTTP/1.1" connectionTimeout="20000"/>
                    <Engine name="Catalina" defaultHost="localhost">
                      <Host name="localhost" appBase="webapps" unpackWARs="true" autoDeploy="false"/>
                    </Engine>
                  </Service>
                </Server>
                """.formatted(port));
        for (String d : List.of("logs", "temp", "work", "webapps")) Files.createDirectories(base.resolve(d));
        Files.copy(WAR, base.resolve("webapps/hello.war"));
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/catalina.sh").toString(), "run")
                .redirectErrorStream(true).redirectOutput(base.resolve("logs/console.log").toFile());
        pb.environment().put("CATALINA_HOME", home.toString());
        pb.environment().put("CATALINA_BASE", base.toString());
        pb.environment().put("CATALINA_TMPDIR", base.resolve("temp").toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // no --add-exports here: inside an arbitrary container, coroutines run on the virtual-thread engine
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("CATALINA_OPTS");
        Process tomcat = pb.start();
        try {
            waitForHttp(port, "/hello/", tomcat, base.resolve("logs/console.log"));
            checkDeployment(port, "/hello");
        } finally {
            tomcat.destroy();
            if (!tomcat.waitFor(20, TimeUnit.SECONDS)) tomcat.destroyForcibly();
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void waitForHttp(int port, String path, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("Tomcat exited:\n" + Files.readString(log));
            try {
                if (get(URI.create("http://127.0.0.1:" + port + path)).statusCode() == 200) return;
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Tomcat did not serve " + path + " in time:\n" + Files.readString(log));
    }

    /** Runs the project's installer for Debian packages (apt-get, services kept from starting). */
    static void ensurePackages(String... packages) throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("scripts/ensure-packages.sh"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("scripts/ensure-packages.sh not found above " + Path.of("").toAbsolutePath());
        List<String> cmd = new java.util.ArrayList<>(List.of(dir.resolve("scripts/ensure-packages.sh").toString()));
        cmd.addAll(List.of(packages));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertTrue(p.waitFor(15, TimeUnit.MINUTES) && p.exitValue() == 0, "installing " + String.join(" ", packages));
    }
}
