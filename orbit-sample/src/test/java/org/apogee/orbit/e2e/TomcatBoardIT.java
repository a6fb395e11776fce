package org.apogee.orbit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.apogee.server.tck.Tomcat;
import org.junit.jupiter.api.Test;

/**
 * The board's WAR (target/orbit-sample.war, built in the package phase) in Debian's Tomcat 10 under
 * the context path /board, BOARD_DATA in Tomcat's environment; the live view's WebSocket goes through
 * Tomcat too. The same WAR is also deployed as ROOT in that Tomcat, where its links start at /.
 */
class TomcatBoardIT extends BoardBrowserScenario {

    private static final Path WAR = Path.of(System.getProperty("war.file", "target/orbit-sample.war")).toAbsolutePath();

    private Tomcat tomcat;

    @Override
    protected URI deploy(Path work, Path data) throws Exception {
        Path base = work.resolve("catalina");
        // a second copy of the WAR, deployed at start-up next to the one the harness puts in webapps/
        Files.createDirectories(base.resolve("webapps"));
        Files.copy(WAR, base.resolve("webapps/ROOT.war"));
        Tomcat.Builder b = Tomcat.builder(WAR, "/board").base(base)
                .env("BOARD_DATA", data.toString())
                // sqlite-jdbc loads its native library
                .jvmOptions("--enable-native-access=ALL-UNNAMED")
                .timeout(Duration.ofSeconds(120));
        FOREIGN_ENV.forEach(b::removeEnv);
        tomcat = stopLater(b.start());
        return tomcat.url("/board/");
    }

    @Override
    protected String serverLogs() {
        return tomcat == null ? "(not started)" : tomcat.log();
    }

    @Test
    void theSameWarAnswersAtTheServerRootWithLinksFromThere() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> root = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            root = http.send(HttpRequest.newBuilder(tomcat.url("/")).timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
            if (root.statusCode() != 404) break;
            Thread.sleep(250);
        }
        assertEquals(200, root.statusCode(), "ROOT: " + root.body() + "\n" + tomcat.log());
        assertTrue(root.body().contains("data-prefix=\"\""), root.body());
        assertTrue(root.body().contains("href=\"/signup\""), root.body());
        assertTrue(root.body().contains("src=\"/static/board.js\""), root.body());
        assertEquals(200, http.send(HttpRequest.newBuilder(tomcat.url("/static/board.js")).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());

        String board = http.send(HttpRequest.newBuilder(tomcat.url("/board/")).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(board.contains("data-prefix=\"/board\""), board);
        assertTrue(board.contains("href=\"/board/signup\""), board);
    }
}
