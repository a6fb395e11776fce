package org.apogee.lapps;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.apogee.lapps.servlet.LappsServletInitializer;
import org.junit.jupiter.api.Test;

/** A web application with WEB-INF/lapps.json: the container starts its services, at paths under the context path. */
class WarLappsTest {

    @Test
    void servicesOfWebInfLappsJson() throws Exception {
        Path base = Files.createTempDirectory("war");
        Path webapp = base.resolve("webapp");
        Path webInf = Files.createDirectories(webapp.resolve("WEB-INF/apps/echo"));
        Files.copy(Path.of("../examples/lapps/apps/echo/echo.lua"), webInf.resolve("echo.lua"));
        Files.writeString(webapp.resolve("WEB-INF/lapps.json"), """
                { "services": { "echo": { "standalone": false, "auto_start": true, "instances": 2, "protocol": "raw",
                  "request_target": "/echo", "max_inbound_message_size": 1024 } } }""");
        Files.writeString(webapp.resolve("hello.txt"), "static");

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
        tomcat.start();
        try {
            int port = connector.getLocalPort();
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
