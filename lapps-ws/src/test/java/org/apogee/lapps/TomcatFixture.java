package org.apogee.lapps;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.apogee.lapps.servlet.LappsServletInitializer;

/** A servlet container (embedded Tomcat) with its Jakarta WebSocket support and the LAppS initializer. */
final class TomcatFixture implements ServerFixture {

    private Tomcat tomcat;

    @Override
    public int start(LappsHost host) throws Exception {
        Path base = Files.createTempDirectory("tomcat");
        tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.getService().addConnector(connector);
        Context context = tomcat.addContext("", Files.createDirectories(base.resolve("webapp")).toString());
        // filters, the WebSocket one too, run only for a mapped servlet
        Tomcat.addServlet(context, "default", new org.apache.catalina.servlets.DefaultServlet());
        context.addServletMappingDecoded("/", "default");
        context.addServletContainerInitializer(new WsSci(), null);
        context.addServletContainerInitializer(new LappsServletInitializer(host), null);
        tomcat.start();
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
    }
}
