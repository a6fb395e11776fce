package org.apogee.lapps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.apogee.lapps.servlet.LappsServletInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A web application that names a lapps.json: the container starts its services, at paths under the context path. */
class WarLappsTest {

    private static final String ECHO = """
            { "directories": { "applications": "%s" },
              "services": { "echo": { "standalone": false, "auto_start": true, "instances": 2, "protocol": "raw",
              "request_target": "/echo", "max_inbound_message_size": 1024 } } }""";

    @Test
    void servicesOfWebInfLappsJson(@TempDir Path base) throws Exception {
        Path webapp = base.resolve("webapp");
        Path webInf = Files.createDirectories(webapp.resolve("WEB-INF/apps/echo"));
        Files.copy(Path.of("../examples/lapps/apps/echo/echo.lua"), webInf.resolve("echo.lua"));
        Files.writeString(webapp.resolve("WEB-INF/lapps.json"), ECHO.formatted("apps"));
        Files.writeString(webapp.resolve("hello.txt"), "static");
        servesEcho(base, webapp);
    }

    @Test
    void servicesOfTheLappsKeyOfApogeeProperties(@TempDir Path base) throws Exception {
        // the sample's layout: WEB-INF/app/lapps.json with its services in WEB-INF/app/live/NAME/NAME.lua
        Path webapp = base.resolve("webapp");
        Path live = Files.createDirectories(webapp.resolve("WEB-INF/app/live/echo"));
        Files.copy(Path.of("../examples/lapps/apps/echo/echo.lua"), live.resolve("echo.lua"));
        Files.writeString(webapp.resolve("WEB-INF/app/lapps.json"), ECHO.formatted("live"));
        Files.writeString(webapp.resolve("WEB-INF/apogee.properties"), "target=WEB-INF/app/board.lua\nlapps=WEB-INF/app/lapps.json\n");
        Files.writeString(webapp.resolve("hello.txt"), "static");
        servesEcho(base, webapp);
    }

    @Test
    void aLappsKeyNamingNoFileStopsTheApplication(@TempDir Path base) throws Exception {
        Path webInf = Files.createDirectories(base.resolve("webapp/WEB-INF"));
        Files.writeString(webInf.resolve("apogee.properties"), "lapps=WEB-INF/app/lapps.json\n");
        Tomcat tomcat = tomcat(base, base.resolve("webapp"));
        try {
            LifecycleException e = assertThrows(LifecycleException.class, tomcat::start);
            StringBuilder causes = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) causes.append(t).append('\n');
            assertTrue(causes.toString().contains("/WEB-INF/apogee.properties: lapps: /WEB-INF/app/lapps.json not found in the web application"),
                    causes.toString());
        } finally {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    private static Tomcat tomcat(Path base, Path webapp) {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.getService().addConnector(connector);
        Context context = tomcat.addContext("/app", webapp.toString());
        Tomcat.addServlet(context, "default", new DefaultServlet());
        context.addServletMappingDecoded("/", "default");
        context.addServletContainerInitializer(new WsSci(), null);
        context.addServletContainerInitializer(new LappsServletInitializer(), null);
        return tomcat;
    }

    private static void servesEcho(Path base, Path webapp) throws Exception {
        Tomcat tomcat = tomcat(base, webapp);
        tomcat.start();
        try {
            int port = tomcat.getService().findConnectors()[0].getLocalPort();
            try (TestClient c = TestClient.connect(URI.create("ws://127.0.0.1:" + port + "/app/echo"))) {
                c.text("in a WAR");
                assertEquals("in a WAR", c.next().string());
                c.binary(new byte[2000]);
                assertEquals(1009, c.awaitClose());
            }
            HttpResponse<String> page = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/app/hello.txt")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("static", page.body());
            try (RawSocket s = RawSocket.open(port, "/app/nowhere")) {
                assertEquals(404, s.status());
            }
        } finally {
            tomcat.stop();
            tomcat.destroy();
        }
    }
}
