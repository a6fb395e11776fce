package org.apogee.server.fastcgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.apogee.server.tck.ApogeeProcess;
import org.apogee.server.tck.DeploymentChecks;
import org.apogee.server.tck.Nginx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./apogee fcgi} as users run it, behind a real nginx configured as docs/deploy-nginx.md
 * shows, over TCP and over a unix socket.
 */
class NginxFastCgiIT {

    private static final String LOCATION = """
            root %s;
            client_max_body_size 64m;
            location ~ [^/]\\.(lua|ws)(/|$) {
              fastcgi_split_path_info ^(.+?\\.(?:lua|ws))(/.*)$;
              include fastcgi_params;
              fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
              fastcgi_param PATH_INFO $fastcgi_path_info;
              fastcgi_pass apogee;
              fastcgi_keep_conn on;
              fastcgi_buffering off;
            }
            """;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static String upstream(String address) {
        return "upstream apogee { server " + address + "; keepalive 32; }";
    }

    private int status(URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void overTcp() throws Exception {
        Path apps = DeploymentChecks.appsFolder();
        int port = Nginx.freePort();
        String listen = "127.0.0.1:" + port;
        ApogeeProcess apogee = ApogeeProcess.start("Apogee FastCGI serving", "fcgi", "--listen", listen, "--instances", "4", apps.toString());
        try (Nginx nginx = Nginx.start(LOCATION.formatted(apps), upstream(listen))) {
            URI base = URI.create("http://127.0.0.1:" + nginx.port() + "/");
            DeploymentChecks checks = new DeploymentChecks(base);
            checks.envAndPostBody();
            checks.fileUpload();
            checks.streaming();
            checks.errorsAndMissingApps();
            checks.concurrentRequests(200);

            // a malformed record on a raw connection closes that connection; a request in flight is not affected
            CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(HttpRequest.newBuilder(base.resolve("stream.lua"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            try (Socket raw = new Socket()) {
                raw.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                raw.setSoTimeout(5000);
                OutputStream out = raw.getOutputStream();
                out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                assertEquals(-1, raw.getInputStream().read(), "the server closed the malformed connection");
            }
            assertEquals("first\nsecond\n", inFlight.get().body());
            assertEquals(200, status(base.resolve("sub/split.lua/after")));

            // killed and started again: nginx goes on with the new process
            apogee.kill();
            assertEquals(502, status(base.resolve("sub/split.lua/down")), nginx.errorLog());
            apogee = ApogeeProcess.start("Apogee FastCGI serving", "fcgi", "--listen", listen, apps.toString());
            for (int i = 0; i < 20; i++) assertEquals(200, status(base.resolve("sub/split.lua/again" + i)), nginx.errorLog());
            checks.envAndPostBody();
        } finally {
            assertEquals(143, apogee.stop(), "SIGTERM ends it (128 + 15, after the shutdown hook)\n" + apogee.output());
        }
    }

    @Test
    void overAUnixSocket(@TempDir Path dir) throws Exception {
        Path apps = DeploymentChecks.appsFolder();
        Path socket = dir.resolve("apogee.sock");
        ApogeeProcess apogee = ApogeeProcess.start("Apogee FastCGI serving", "fcgi", "--listen", "unix:" + socket, apps.toString());
        try (Nginx nginx = Nginx.start(LOCATION.formatted(apps), upstream("unix:" + socket))) {
            URI base = URI.create("http://127.0.0.1:" + nginx.port() + "/");
            DeploymentChecks checks = new DeploymentChecks(base);
            checks.envAndPostBody();
            checks.errorsAndMissingApps();
            checks.concurrentRequests(200);
            // SIGKILL leaves the socket file behind; the next start replaces it
            apogee.kill();
            assertTrue(Files.exists(socket));
            apogee = ApogeeProcess.start("Apogee FastCGI serving", "fcgi", "--listen", "unix:" + socket, apps.toString());
            for (int i = 0; i < 20; i++) assertEquals(200, status(base.resolve("sub/split.lua/again" + i)), nginx.errorLog());
        } finally {
            assertEquals(143, apogee.stop(), apogee.output());
        }
        assertTrue(Files.notExists(socket), "a clean stop removes the socket file");
    }
}
