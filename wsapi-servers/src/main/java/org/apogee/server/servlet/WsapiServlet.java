package org.apogee.server.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apogee.core.AppProperties;
import org.apogee.core.Header;
import org.apogee.core.HostConfig;
import org.apogee.core.WsapiHost;
import org.apogee.core.WsapiRequest;

/**
 * Serves WSAPI apps from a servlet container (servlet 6, jakarta). It only translates: the servlet
 * request becomes a {@link WsapiRequest} ({@code SCRIPT_NAME} starts with context path + servlet path),
 * the core writes through a {@link ServletSink}. Each request goes async and runs on a virtual thread,
 * so container threads are never held by Lua.
 *
 * <p>Configuration, by init parameter or in {@code /WEB-INF/apogee.properties} (init parameters win):
 * {@code target} (app file or folder inside the web app, default {@code WEB-INF/lua}), {@code instances},
 * {@code queue-timeout} (seconds), {@code max-body} (bytes), {@code reload}, {@code debug},
 * {@code allow-java} (read by {@link AppProperties}: an unknown key or a bad value stops the
 * deployment). The keys of the standalone commands ({@code host}, {@code port}, ...) are ignored here;
 * {@code lapps} is read by lapps-ws's initializer.
 *
 * <p>{@link #destroy()} closes the host; {@link ApogeeContextListener} stops the rest when the web
 * application is undeployed.
 */
public class WsapiServlet extends HttpServlet {

    private static final ThreadFactory VIRTUAL = Thread.ofVirtual().name("apogee-request").factory();
    private static final Executor EXECUTOR = task -> VIRTUAL.newThread(task).start();
    static final String PROPERTIES = "/WEB-INF/apogee.properties";

    private transient WsapiHost host;
    private transient boolean ownHost;

    /** For web.xml and the initializer: configured in {@link #init()}. */
    public WsapiServlet() {}

    /** For embedding: serves an already configured host. */
    public WsapiServlet(WsapiHost host) {
        this.host = host;
    }

    @Override
    public void init() throws ServletException {
        if (host != null) return;
        try {
            host = new WsapiHost(configure(getServletContext()));
            ownHost = true;
        } catch (IOException | RuntimeException e) {
            throw new ServletException("Apogee: " + e.getMessage(), e);
        }
    }

    /** Closes the host this servlet configured (its Lua states, and what they keep open); an embedding owner closes its own. */
    @Override
    public void destroy() {
        if (ownHost && host != null) host.close();
    }

    private HostConfig configure(ServletContext context) throws IOException {
        Map<String, String> init = new HashMap<>();
        for (String name : Collections.list(getInitParameterNames())) init.put(name, getInitParameter(name));
        AppProperties props = properties(context)
                .overriddenBy(AppProperties.of(init, "init parameters of servlet " + getServletName(), null));
        String target = props.text(AppProperties.Key.TARGET).orElse("WEB-INF/lua");
        return props.applyTo(HostConfig.of(webAppPath(context, target)));
    }

    /** {@code /WEB-INF/apogee.properties}, checked (unknown keys and bad values are errors); empty when there is none. */
    static AppProperties properties(ServletContext context) throws IOException {
        try (InputStream in = context.getResourceAsStream(PROPERTIES)) {
            return in == null ? AppProperties.empty() : AppProperties.read(in, PROPERTIES);
        }
    }

    /**
     * The file system path of a folder or file inside the web app. A container that runs the WAR
     * unexploded has none: the folder is then copied out to a temporary directory.
     */
    static Path webAppPath(ServletContext context, String relative) throws IOException {
        String resource = "/" + relative.replaceAll("^/+", "");
        String real = context.getRealPath(resource);
        if (real != null && Files.exists(Path.of(real))) return Path.of(real);
        Path tmp = Files.createTempDirectory("apogee-webapp");
        boolean copied = copyOut(context, resource, tmp);
        if (!copied) throw new IOException("no such app file or folder in the web app: " + resource);
        Path result = tmp.resolve(resource.substring(1));
        return result;
    }

    private static boolean copyOut(ServletContext context, String resource, Path root) throws IOException {
        Set<String> children = context.getResourcePaths(resource.endsWith("/") ? resource : resource + "/");
        if (children != null && !children.isEmpty()) {
            for (String child : children) copyOut(context, child, root);
            return true;
        }
        try (InputStream in = context.getResourceAsStream(resource)) {
            if (in == null) return false;
            Path out = root.resolve(resource.substring(1));
            Files.createDirectories(out.getParent());
            Files.copy(in, out);
            return true;
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) {
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        WsapiRequest request = request(req);
        ServletSink sink = new ServletSink(resp, async);
        EXECUTOR.execute(() -> host.handle(request, sink));
    }

    private static WsapiRequest request(HttpServletRequest req) {
        List<Header> headers = new ArrayList<>();
        for (String name : Collections.list(req.getHeaderNames())) {
            for (String value : Collections.list(req.getHeaders(name))) headers.add(new Header(name, value));
        }
        // HTTP/2 sends the host as :authority, which the servlet API does not list; CGI apps expect HTTP_HOST
        if (req.getHeader("Host") == null && req.getProtocol().startsWith("HTTP/2")) headers.add(0, new Header("Host", authority(req)));
        String mount = req.getContextPath() + req.getServletPath();
        // getRequestURI is not decoded: the core decodes the path itself
        String uri = req.getRequestURI();
        String path = uri.startsWith(mount) ? uri.substring(mount.length()) : rawPathInfo(req);
        InputStream body;
        try {
            body = req.getInputStream();
        } catch (IOException e) {
            body = InputStream.nullInputStream();
        }
        return new WsapiRequest(req.getMethod(), req.getScheme(), req.getServerName(), req.getServerPort(),
                path.isEmpty() ? "/" : path, req.getQueryString(), req.getProtocol(), req.getRemoteAddr(),
                req.getRemotePort(), headers, body, mount);
    }

    private static String authority(HttpServletRequest req) {
        String host = req.getServerName();
        if (host.contains(":") && !host.startsWith("[")) host = "[" + host + "]";
        int port = req.getServerPort();
        boolean defaultPort = port == ("https".equals(req.getScheme()) ? 443 : 80);
        return defaultPort || port <= 0 ? host : host + ":" + port;
    }

    /** When the mount path is spelled differently in the raw URI (encoded characters), use the decoded rest. */
    private static String rawPathInfo(HttpServletRequest req) {
        String info = req.getPathInfo();
        return info == null ? "/" : info.replace("%", "%25");
    }
}
