package org.apogee.server.servlet;

import java.util.Set;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;

/**
 * Lets a WAR need no web.xml: when {@code /WEB-INF/apogee.properties} exists and no servlet named
 * {@code apogee} is declared, registers {@link WsapiServlet} at the {@code mapping} the properties
 * give (default {@code /*}).
 */
public final class ApogeeInitializer implements ServletContainerInitializer {

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        if (context.getServletRegistration("apogee") != null) return;
        java.util.Properties props = new java.util.Properties();
        try (var in = context.getResourceAsStream(WsapiServlet.PROPERTIES)) {
            if (in == null) return;
            props.load(in);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read " + WsapiServlet.PROPERTIES, e);
        }
        ServletRegistration.Dynamic servlet = context.addServlet("apogee", WsapiServlet.class);
        servlet.setAsyncSupported(true);
        servlet.setLoadOnStartup(1);
        servlet.addMapping(props.getProperty("mapping", "/*"));
    }

}
