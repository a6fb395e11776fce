package org.apogee.server.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import org.apogee.core.AppProperties;

/**
 * Lets a WAR need no web.xml: when {@code /WEB-INF/apogee.properties} exists and no servlet named
 * {@code apogee} is declared, registers {@link WsapiServlet} at the {@code mapping} the properties
 * give (default {@code /*}). Always adds {@link ApogeeContextListener}, which stops what Apogee
 * started when the application is undeployed.
 */
public final class ApogeeInitializer implements ServletContainerInitializer {

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        context.addListener(ApogeeContextListener.class);
        if (context.getServletRegistration("apogee") != null) return;
        AppProperties props;
        try (InputStream in = context.getResourceAsStream(WsapiServlet.PROPERTIES)) {
            if (in == null) return;
            props = AppProperties.read(in, WsapiServlet.PROPERTIES);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + WsapiServlet.PROPERTIES, e);
        }
        ServletRegistration.Dynamic servlet = context.addServlet("apogee", WsapiServlet.class);
        servlet.setAsyncSupported(true);
        servlet.setLoadOnStartup(1);
        servlet.addMapping(props.text(AppProperties.Key.MAPPING).orElse("/*"));
    }

}
