package org.apogee.orbit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apogee.server.tck.ApogeeProcess;

/**
 * The board as {@code ./apogee serve orbit-sample} runs it: the real application folder (its
 * apogee.properties names app/board.lua and app/lapps.json), the pages and the live view's
 * WebSocket on one port, BOARD_DATA in a temporary folder so that the source tree stays clean.
 */
class StandaloneBoardIT extends BoardBrowserScenario {

    private ApogeeProcess server;
    private boolean appDataBefore;

    @Override
    protected URI deploy(Path work, Path data) throws Exception {
        Path repo = ApogeeProcess.home();
        appDataBefore = Files.exists(repo.resolve("orbit-sample/app/data"));
        ApogeeProcess.Builder serve = ApogeeProcess.serve("orbit-sample").directory(repo).env("BOARD_DATA", data.toString());
        FOREIGN_ENV.forEach(serve::removeEnv);
        server = stopLater(serve.start());
        return server.url("/");
    }

    @Override
    protected String serverLogs() {
        return server == null ? "(not started)" : "==> apogee serve orbit-sample <==\n" + server.output();
    }

    @org.junit.jupiter.api.Test
    void theDataGoesToBoardDataNotIntoTheSourceTree() throws Exception {
        awaitFile(database(), java.time.Duration.ofSeconds(20));
        awaitFile(work.resolve("data/session.secret"), java.time.Duration.ofSeconds(20));
        if (!appDataBefore) {
            assertEquals(false, Files.exists(ApogeeProcess.home().resolve("orbit-sample/app/data")), "orbit-sample/app/data stays absent");
        }
    }
}
