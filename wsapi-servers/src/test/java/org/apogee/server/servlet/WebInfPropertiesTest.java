package org.apogee.server.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WEB-INF/apogee.properties in an unpacked web application on embedded Jetty, read as the app folders read it. */
class WebInfPropertiesTest {

    private static Path webapp(Path dir, String properties) throws Exception {
        Path app = Files.createDirectories(dir.resolve("WEB-INF/app"));
        Files.writeString(app.resolve("board.lua"), """
                return function(env)
                  if env.PATH_INFO == "/raise" then error("boom in the board") end
                  return 200, { ["Content-Type"] = "text/plain" }, coroutine.wrap(function()
                    coroutine.yield(env.SCRIPT_NAME .. " " .. env.PATH_INFO)
                  end)
                end
                """);
        Files.writeString(dir.resolve("WEB-INF/apogee.properties"), properties);
        return dir;
    }

    private static Server jetty(Path webapp) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        WebAppContext context = new WebAppContext(webapp.toString(), "/board");
        context.addServletContainerInitializer(new ApogeeInitializer());
        context.setThrowUnavailableOnStartupException(true);
        server.setHandler(context);
        return server;
    }

    @Test
    void theServletTakesItsSettingsFromTheFile(@TempDir Path dir) throws Exception {
        Server server = jetty(webapp(dir, "target=WEB-INF/app/board.lua\ninstances=2\ndebug=true\nlapps=WEB-INF/app/lapps.json\nport=1\n"));
        server.start();
        try {
            int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/board/tasks/1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("/board /tasks/1", r.body());
            r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/board/raise")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(500, r.statusCode());
            assertTrue(r.body().contains("boom in the board"), "debug=true: " + r.body());
        } finally {
            server.stop();
        }
    }

    @Test
    void aBadValueStopsTheDeploymentWithTheKeyInTheMessage(@TempDir Path dir) throws Exception {
        Server server = jetty(webapp(dir, "target=WEB-INF/app/board.lua\ninstances=lots\n"));
        try {
            Exception e = assertThrows(Exception.class, server::start);
            assertTrue(causes(e).contains("/WEB-INF/apogee.properties: instances: expected a whole number of at least 1, got 'lots'"), causes(e));
        } finally {
            server.stop();
        }
        server = jetty(webapp(dir, "target=WEB-INF/app/board.lua\ninstance=2\n"));
        try {
            Exception e = assertThrows(Exception.class, server::start);
            assertTrue(causes(e).contains("/WEB-INF/apogee.properties: unknown key 'instance'"), causes(e));
        } finally {
            server.stop();
        }
    }

    private static String causes(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (; t != null; t = t.getCause()) sb.append(t).append('\n');
        return sb.toString();
    }
}
