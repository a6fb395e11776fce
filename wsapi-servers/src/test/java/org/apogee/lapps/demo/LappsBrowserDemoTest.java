package org.apogee.lapps.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.apogee.core.HostConfig;
import org.apogee.core.WsapiHost;
import org.apogee.lapps.LappsConfig;
import org.apogee.lapps.LappsHost;
import org.apogee.lapps.undertow.LappsUndertowHandler;
import org.apogee.server.undertow.UndertowServer;
import org.junit.jupiter.api.Test;

/**
 * The demo page of examples/lapps/www, served by Apogee next to the example services and driven by
 * headless Chromium: it connects, logs in, calls echo and shows the server-time broadcast.
 */
class LappsBrowserDemoTest {

    @Test
    void demoPageCallsAMethodAndShowsABroadcast() throws Exception {
        Path examples = Path.of("../examples/lapps").toAbsolutePath().normalize();
        LappsHost services = LappsHost.start(LappsConfig.load(examples.resolve("conf/lapps.json")), LappsHost.Options.defaults());
        WsapiHost pages = new WsapiHost(HostConfig.of(examples.resolve("www")));
        UndertowServer server = UndertowServer.start(pages, "127.0.0.1", 0, next -> new LappsUndertowHandler(services, next));
        try (WebDriver browser = WebDriver.start()) {
            browser.open("http://127.0.0.1:" + server.port() + "/");
            browser.awaitText("#status", "logged in");
            browser.click("#echo");
            browser.awaitText("#result", "Hello, LAppS");
            String broadcast = browser.awaitText("#broadcasts li", "Server time: .+");
            assertTrue(broadcast.startsWith("Server time: "), broadcast);
        } finally {
            services.stop(Duration.ofSeconds(5));
            server.stop(Duration.ofSeconds(1));
        }
    }
}
