package org.apogee.server.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process harness: apogee serve in its own JVM with a working directory, an environment and a port. */
class ApogeeProcessTest {

    private static final String APP = """
            return function(env)
              local cwd = io.open("marker.txt") and io.open("marker.txt"):read("*a") or "?"
              return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
                coroutine.yield(os.getenv("BOARD_GREETING") .. " from " .. cwd)
              end)
            end
            """;

    private final HttpClient client = HttpClient.newHttpClient();

    private String get(ApogeeProcess p, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(p.url(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void servesFromAWorkingDirectoryWithAnEnvironmentOnAGivenPort(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("app.lua"), APP);
        Files.writeString(dir.resolve("marker.txt"), "the app folder");
        int port = Ports.free();
        ApogeeProcess.Builder node = ApogeeProcess.serve("--instances", "1", "app.lua")
                .launcher(ApogeeProcess.Launcher.CLASS_PATH).directory(dir).env("BOARD_GREETING", "hello").port(port);
        try (ApogeeProcess p = node.start()) {
            assertEquals(port, p.port());
            assertEquals("hello from the app folder", get(p, "/"));
            assertTrue(p.output().contains("Apogee serving"), p.output());
            assertTrue(p.pid() > 0);
            assertEquals(143, p.stop(), "SIGTERM: the JVM ends with 128 + 15 after the graceful stop");
            assertFalse(p.isAlive());
        }
        // the same port again, as a restarted node
        try (ApogeeProcess p = node.start()) {
            assertEquals("hello from the app folder", get(p, "/"));
            p.kill();
            assertFalse(p.isAlive());
        }
    }

    @Test
    void anApplicationFolderGivesThePortAndAFailedStartShowsTheOutput(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("app"));
        Files.writeString(dir.resolve("app/app.lua"), APP);
        int port = Ports.free();
        Files.writeString(dir.resolve("apogee.properties"), "target=app/app.lua\nport=" + port + "\n");
        try (ApogeeProcess p = ApogeeProcess.serve(".").launcher(ApogeeProcess.Launcher.CLASS_PATH).directory(dir)
                .env("BOARD_GREETING", "hi").noPortOption().start()) {
            assertEquals(port, p.port(), "read from the output");
            assertEquals("hi from ?", get(p, "/"));
        }
        Files.writeString(dir.resolve("apogee.properties"), "target=app/missing.lua\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ApogeeProcess.serve(".")
                .launcher(ApogeeProcess.Launcher.CLASS_PATH).directory(dir).timeout(Duration.ofSeconds(30)).start());
        assertTrue(e.getMessage().contains("target: not found"), e.getMessage());
    }
}
