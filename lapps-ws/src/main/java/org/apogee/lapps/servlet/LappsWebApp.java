package org.apogee.lapps.servlet;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import org.apogee.core.lua.LuaRuntime;
import org.apogee.lapps.LappsConfig;
import org.apogee.lapps.LappsHost;

/** The LAppS host of one web application: started and stopped with it, endpoints deployed per request path. */
final class LappsWebApp implements ServletContextListener {

    private static final System.Logger LOG = System.getLogger("apogee.lapps");

    private final Path config;
    private final String redis;
    private final boolean ownHost;
    private volatile LappsHost host;

    /**
     * Loads and starts the services of a lapps.json file with the application, stops them with it.
     * {@code redis}, when not null, replaces the file's Redis URL (empty: none).
     */
    LappsWebApp(Path config, String redis) {
        this.config = config;
        this.redis = redis;
        this.ownHost = true;
    }

    /** Serves the services of a host that runs already (its owner stops it). */
    LappsWebApp(LappsHost host) {
        this.config = null;
        this.redis = null;
        this.ownHost = false;
        this.host = host;
    }

    LappsHost host() {
        return host;
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        ServerContainer container = (ServerContainer) context.getAttribute(ServerContainer.class.getName());
        if (container == null) {
            throw new IllegalStateException("LAppS services need the container's Jakarta WebSocket support, which is not enabled");
        }
        if (ownHost) {
            LappsConfig loaded;
            try {
                loaded = LappsConfig.load(config);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalStateException(config + ": " + e.getMessage(), e);
            }
            if (redis != null) loaded = loaded.withRedis(redis.isEmpty() ? null : redis);
            host = LappsHost.start(loaded, LappsHost.Options.defaults().withLua(LuaRuntime.Options.fromProcess(loaded.home())));
        }
        LappsConfig cfg = host.config();
        container.setDefaultMaxSessionIdleTimeout(0);
        Set<String> paths = new LinkedHashSet<>();
        for (LappsConfig.Service s : cfg.services().values()) {
            if (s.standalone()) continue;
            String target = s.requestTarget();
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q);
            if (!paths.add(path)) continue;
            try {
                container.addEndpoint(ServerEndpointConfig.Builder.create(JakartaEndpoint.class, path)
                        .configurator(new LappsConfigurator(this)).build());
            } catch (DeploymentException e) {
                throw new IllegalStateException("cannot deploy the WebSocket endpoint " + path + ": " + e.getMessage(), e);
            }
        }
        LOG.log(System.Logger.Level.INFO, "LAppS services in " + context.getContextPath() + "/: " + host.summary());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        LappsHost h = host;
        if (h != null && ownHost) h.stop(Duration.ofSeconds(10));
    }
}
