package org.apogee.lapps.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import org.apogee.core.AppProperties;
import org.apogee.lapps.LappsHost;

/**
 * Runs LAppS services inside a servlet container (a WAR), through the container's Jakarta WebSocket
 * support. It does something only when the web application names a lapps.json: the context parameter
 * {@code apogee.lapps}, else the {@code lapps} key of {@code WEB-INF/apogee.properties} (a path inside
 * the application, e.g. {@code WEB-INF/app/lapps.json}; the file's {@code redis} key, when set, replaces
 * the one of lapps.json), else {@code WEB-INF/lapps.json} if there is one. Then the services start with
 * the application, every upgrade request is first decided by the host (404,
 * 403, 400, 503 before the upgrade, as on the standalone servers), and they stop with it.
 *
 * <p>Request targets in lapps.json are relative to the application's context path: {@code /echo}
 * answers {@code ws://host/app/echo} when the WAR is deployed at {@code /app}. Service folders
 * resolve as in {@link org.apogee.lapps.LappsConfig}: next to lapps.json, e.g.
 * {@code WEB-INF/apps/echo/echo.lua}. The WAR must be unpacked (the container must give real paths).
 */
public final class LappsServletInitializer implements ServletContainerInitializer {

    static final String CONFIG_PARAMETER = "apogee.lapps";
    static final String PROPERTIES = "/WEB-INF/" + AppProperties.FILE_NAME;

    private final LappsHost host;

    /** What containers use: services from WEB-INF/lapps.json, if there is one. */
    public LappsServletInitializer() {
        this.host = null;
    }

    /** For embedding: serve the services of a host that runs already. */
    public LappsServletInitializer(LappsHost host) {
        this.host = host;
    }

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        LappsWebApp app;
        if (host != null) {
            app = new LappsWebApp(host);
        } else {
            AppProperties props = properties(context);
            String name = context.getInitParameter(CONFIG_PARAMETER);
            String from = CONFIG_PARAMETER;
            if (name == null && props.has(AppProperties.Key.LAPPS)) {
                name = props.text(AppProperties.Key.LAPPS).orElseThrow();
                from = PROPERTIES + ": lapps";
            }
            if (name != null && !name.startsWith("/")) name = "/" + name;
            String real = context.getRealPath(name != null ? name : "/WEB-INF/lapps.json");
            if (real == null || !Files.isRegularFile(Path.of(real))) {
                if (name != null) throw new IllegalStateException(from + ": " + name + " not found in the web application (is the WAR unpacked?)");
                return;
            }
            app = new LappsWebApp(Path.of(real), props.text(AppProperties.Key.REDIS).orElse(null));
        }
        FilterRegistration.Dynamic filter = context.addFilter("apogee-lapps-admission", new AdmissionFilter(app));
        filter.setAsyncSupported(true);
        filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        context.addListener(app);
    }

    /** {@code /WEB-INF/apogee.properties}, checked as the servlet checks it; empty when there is none. */
    private static AppProperties properties(ServletContext context) {
        try (InputStream in = context.getResourceAsStream(PROPERTIES)) {
            return in == null ? AppProperties.empty() : AppProperties.read(in, PROPERTIES);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + PROPERTIES + ": " + e.getMessage(), e);
        }
    }
}
