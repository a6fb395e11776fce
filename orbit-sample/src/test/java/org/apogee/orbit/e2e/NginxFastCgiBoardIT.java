package org.apogee.orbit.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.apogee.server.tck.ApogeeProcess;
import org.apogee.server.tck.Nginx;

/**
 * The board behind nginx, split over two processes that share BOARD_DATA (one SQLite database):
 * the pages come from {@code apogee fcgi orbit-sample} through {@code fastcgi_pass}, and
 * {@code /live} is proxied with the WebSocket upgrade headers to {@code apogee serve --lapps
 * orbit-sample/app/lapps.json}, which runs the LAppS services only. The two start at the same time
 * on a data folder that does not exist yet. The live view works only if the services' poller reads
 * the events the FastCGI process writes.
 */
class NginxFastCgiBoardIT extends BoardBrowserScenario {

    private ApogeeProcess pages;
    private ApogeeProcess live;
    private Nginx nginx;

    @Override
    protected URI deploy(Path work, Path data) throws Exception {
        Path repo = ApogeeProcess.home();
        ApogeeProcess.Builder fcgi = ApogeeProcess.fcgi("orbit-sample").directory(repo).env("BOARD_DATA", data.toString());
        FOREIGN_ENV.forEach(fcgi::removeEnv);
        ApogeeProcess.Builder services = ApogeeProcess.serve("--lapps", "orbit-sample/app/lapps.json").directory(repo)
                .env("BOARD_DATA", data.toString());
        FOREIGN_ENV.forEach(services::removeEnv);
        // both at once, as a service manager starts them: both make the database and its schema on first start
        List<ApogeeProcess> started = startTogether(fcgi, services);
        pages = started.get(0);
        live = started.get(1);
        nginx = stopLater(Nginx.start("""
                client_max_body_size 6m;
                location / {
                    include fastcgi_params;
                    fastcgi_pass board_pages;
                    fastcgi_keep_conn on;
                }
                location = /live {
                    proxy_pass http://127.0.0.1:%d;
                    %s
                }
                """.formatted(live.port(), Nginx.PROXY_WEBSOCKETS), """
                upstream board_pages {
                    server 127.0.0.1:%d;
                    keepalive 8;
                }
                %s
                """.formatted(pages.port(), Nginx.WEBSOCKET_MAP)));
        return nginx.url("/");
    }

    /** Starts the processes at the same time; returns them once all run (each goes to stopLater as soon as it does). */
    private List<ApogeeProcess> startTogether(ApogeeProcess.Builder... builders) throws Exception {
        List<CompletableFuture<ApogeeProcess>> starting = new ArrayList<>();
        for (ApogeeProcess.Builder b : builders) {
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return b.start();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }));
        }
        List<ApogeeProcess> started = new ArrayList<>();
        Exception failed = null;
        for (CompletableFuture<ApogeeProcess> f : starting) {
            try {
                started.add(stopLater(f.get()));
            } catch (ExecutionException e) {
                if (failed == null) failed = e.getCause() instanceof Exception x ? x : e;
            }
        }
        if (failed != null) throw failed;
        return started;
    }

    /** Each process did its part: the pages over FastCGI, the live view (and its poller of the shared database) in the other. */
    @Override
    protected void afterStory() {
        assertTrue(pages.output().contains("\"POST /cards "), "the FastCGI process took the new cards:\n" + pages.output());
        assertFalse(pages.output().contains("service live started"), "no LAppS services in the FastCGI process:\n" + pages.output());
        assertTrue(live.output().contains("live_poller: watching " + database()), "the services' poller reads BOARD_DATA's database:\n"
                + live.output());
        assertFalse(live.output().contains("\"GET /"), "the services' process serves no pages:\n" + live.output());
    }

    @Override
    protected String serverLogs() {
        StringBuilder sb = new StringBuilder();
        if (pages != null) sb.append("==> apogee fcgi orbit-sample <==\n").append(pages.output()).append('\n');
        if (live != null) sb.append("==> apogee serve --lapps orbit-sample/app/lapps.json <==\n").append(live.output()).append('\n');
        if (nginx != null) sb.append("==> nginx error.log <==\n").append(nginx.errorLog()).append('\n');
        return sb.length() == 0 ? "(not started)" : sb.toString();
    }
}
