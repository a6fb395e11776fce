package org.apogee.orbit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apogee.server.tck.Tomcat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Undeploying the board's WAR from Debian's Tomcat 10 leaves nothing behind: after a request that
 * opened the database (SQLite, kept open by the app's Lua states) and wrote the access log (whose
 * writer thread starts then), and with the LAppS services of the live view running, removing the WAR
 * makes Tomcat stop the application without any of its class loader leak warnings (JDBC drivers,
 * threads, ThreadLocals). The buffered access log line is on disk, and the WAR deploys again.
 */
class TomcatUndeployIT {

    private static final Path WAR = Path.of(System.getProperty("war.file", "target/orbit-sample.war")).toAbsolutePath();

    /** Tomcat's WebappClassLoaderBase messages when an application leaves something behind. */
    private static final List<String> LEAK_WARNINGS = List.of(
            "registered the JDBC driver", "appears to have started a thread named", "failed to stop it",
            "ThreadLocal", "memory leak");

    @TempDir
    Path work;

    @Test
    void undeployingTheWarLeavesNoDriverThreadOrThreadLocalBehind() throws Exception {
        Path data = Files.createDirectories(work.resolve("data"));
        Path accessLog = work.resolve("access.log");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Tomcat.Builder builder = Tomcat.builder(WAR, "/board").base(work.resolve("catalina")).autoDeploy(true);
        BoardBrowserScenario.FOREIGN_ENV.forEach(builder::removeEnv);
        try (Tomcat tomcat = builder
                .env("BOARD_DATA", data.toString())
                .env("BOARD_ACCESS_LOG", accessLog.toString())
                .jvmOptions("--enable-native-access=ALL-UNNAMED")
                .timeout(Duration.ofSeconds(120))
                .start()) {
            HttpResponse<String> home = http.send(HttpRequest.newBuilder(tomcat.url("/board/")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, home.statusCode(), home.body() + "\n" + tomcat.log());
            assertTrue(Files.exists(data.resolve("board.db")), "the request opened the database\n" + tomcat.log());

            tomcat.undeploy(Duration.ofSeconds(60));
            String log = tomcat.log();
            assertTrue(log.contains("Undeploying context [/board]"), log);
            for (String warning : LEAK_WARNINGS) {
                assertFalse(log.contains(warning), "Tomcat warns about \"" + warning + "\" on undeploy:\n" + log);
            }
            String lines = Files.exists(accessLog) ? Files.readString(accessLog) : "";
            assertTrue(lines.contains("\"GET /board/ HTTP/1.1\" 200"), "the access log line was written by the undeploy: [" + lines + "]");

            // and it comes back: a new class loader, the SQLite driver and its native library again
            Files.copy(WAR, tomcat.base().resolve("webapps/board.war"));
            HttpResponse<String> again = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    again = http.send(HttpRequest.newBuilder(tomcat.url("/board/")).timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (again.statusCode() != 404) break;
                } catch (java.io.IOException notYet) {
                    // deploying
                }
                Thread.sleep(250);
            }
            assertEquals(200, again == null ? -1 : again.statusCode(), (again == null ? "" : again.body()) + "\n" + tomcat.log());
        }
    }
}
